//! snarkjs's Groth16 bn128 JSON: `verification_key.json`, `proof.json`, `public.json`.
//!
//! Field elements are decimal strings; G1 points are `[x, y, "1"]` (projective with `z = 1`),
//! G2 points `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]`; the point at infinity is snarkjs's
//! `["0", "1", "0"]` (G1) and `[["0","0"], ["1","0"], ["0","0"]]` (G2). `vk_alphabeta_12` is
//! left out: snarkjs's verifier recomputes the pairing from `vk_alpha_1` and `vk_beta_2`.

use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use serde_json::{json, Value};

use crate::VerifyingKey;

fn g1(p: &G1Affine) -> Value {
    match p.xy() {
        Some((x, y)) => json!([x.to_string(), y.to_string(), "1"]),
        None => json!(["0", "1", "0"]),
    }
}

fn g2(p: &G2Affine) -> Value {
    match p.xy() {
        Some((x, y)) => json!([
            [x.c0.to_string(), x.c1.to_string()],
            [y.c0.to_string(), y.c1.to_string()],
            ["1", "0"]
        ]),
        None => json!([["0", "0"], ["1", "0"], ["0", "0"]]),
    }
}

/// `verification_key.json`.
pub fn verification_key(vk: &VerifyingKey) -> Value {
    let vk = &vk.0;
    json!({
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": vk.gamma_abc_g1.len().saturating_sub(1),
        "vk_alpha_1": g1(&vk.alpha_g1),
        "vk_beta_2": g2(&vk.beta_g2),
        "vk_gamma_2": g2(&vk.gamma_g2),
        "vk_delta_2": g2(&vk.delta_g2),
        "IC": vk.gamma_abc_g1.iter().map(g1).collect::<Vec<_>>(),
    })
}

/// `proof.json`.
pub fn proof(proof: &ark_groth16::Proof<Bn254>) -> Value {
    json!({
        "pi_a": g1(&proof.a),
        "pi_b": g2(&proof.b),
        "pi_c": g1(&proof.c),
        "protocol": "groth16",
        "curve": "bn128",
    })
}

/// `public.json`: the public inputs in the circuit's order.
pub fn public_inputs(inputs: &[Fr]) -> Value {
    Value::Array(
        inputs
            .iter()
            .map(|x| Value::String(x.to_string()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{key_pair, product_circuit};
    use ark_ff::PrimeField;
    use ark_groth16::Groth16;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn json_has_snarkjs_shape_and_decimal_coordinates() {
        let pk = key_pair(12);
        let vk = verification_key(&pk.verifying_key());
        assert_eq!(vk["protocol"], "groth16");
        assert_eq!(vk["curve"], "bn128");
        assert_eq!(vk["nPublic"], 2);
        assert_eq!(vk["IC"].as_array().unwrap().len(), 3);
        let alpha_x = pk.0.vk.alpha_g1.x;
        assert_eq!(vk["vk_alpha_1"][0], alpha_x.to_string());
        assert_eq!(vk["vk_alpha_1"][2], "1");
        assert_eq!(vk["vk_beta_2"][0][1], pk.0.vk.beta_g2.x.c1.to_string());
        assert_eq!(vk["vk_beta_2"][2], serde_json::json!(["1", "0"]));
        // Decimal, not hex or Montgomery form.
        let decimal = vk["vk_alpha_1"][1].as_str().unwrap();
        assert!(decimal.chars().all(|c| c.is_ascii_digit()));
        assert_eq!(
            ark_bn254::Fq::from_be_bytes_mod_order(&num_be_bytes(decimal)),
            pk.0.vk.alpha_g1.y
        );

        let mut rng = ChaCha20Rng::seed_from_u64(13);
        let circuit = product_circuit(Fr::from(6u64), Fr::from(7u64));
        let proof_value =
            Groth16::<Bn254>::create_random_proof_with_reduction(circuit, &pk.0, &mut rng).unwrap();
        let p = proof(&proof_value);
        assert_eq!(p["pi_a"][0], proof_value.a.x.to_string());
        assert_eq!(p["pi_b"][1][0], proof_value.b.y.c0.to_string());
        assert_eq!(
            public_inputs(&[Fr::from(42u64), Fr::from(13u64)]),
            serde_json::json!(["42", "13"])
        );
    }

    /// Parses a decimal string into big-endian bytes (test helper).
    fn num_be_bytes(decimal: &str) -> Vec<u8> {
        let mut out = vec![0u8; 48];
        for digit in decimal.bytes() {
            let mut carry = u32::from(digit - b'0');
            for byte in out.iter_mut().rev() {
                let v = u32::from(*byte) * 10 + carry;
                *byte = (v & 0xff) as u8;
                carry = v >> 8;
            }
        }
        out
    }
}
