//! The strict decoder against ark-groth16's own encodings of keys and proofs of the test
//! circuit (`a · b = c`, public `c` and `a + b`).
use super::*;
use crate::testing::{key_pair, product_proof};
use ark_bn254::{Fq, Fq2, Fr};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::Groth16;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn proof_bytes(proof: &Proof<Bn254>) -> Vec<u8> {
    let mut out = Vec::new();
    proof.serialize_compressed(&mut out).unwrap();
    out
}

fn vk_bytes(vk: &VerifyingKey<Bn254>) -> Vec<u8> {
    let mut out = Vec::new();
    vk.serialize_compressed(&mut out).unwrap();
    out
}

/// A key pair and one valid proof with its public inputs.
fn fixture(seed: u64) -> (crate::ProvingKey, Proof<Bn254>, Vec<Fr>) {
    let pk = key_pair(seed);
    let mut rng = ChaCha20Rng::seed_from_u64(seed + 100);
    let (proof, inputs) = product_proof(&pk, 6, 7, &mut rng);
    (pk, proof, inputs)
}

/// Compressed bytes of an `x` with no point on G1 (`x³ + 3` a non-residue).
fn g1_x_off_curve() -> [u8; G1_BYTES] {
    let x = (1u64..)
        .map(Fq::from)
        .find(|x| G1Affine::get_ys_from_x_unchecked(*x).is_none())
        .unwrap();
    let mut bytes = [0u8; G1_BYTES];
    x.serialize_compressed(&mut bytes[..]).unwrap();
    bytes
}

/// Compressed bytes of a point on BN254's G2 twist that is not in the prime-order subgroup.
fn g2_outside_subgroup() -> [u8; G2_BYTES] {
    let point = (1u64..)
        .filter_map(|i| {
            G2Affine::get_point_from_x_unchecked(Fq2::new(Fq::from(i), Fq::from(1u64)), true)
        })
        .find(|p| p.is_on_curve() && !p.is_in_correct_subgroup_assuming_on_curve())
        .unwrap();
    let mut bytes = [0u8; G2_BYTES];
    point.serialize_compressed(&mut bytes[..]).unwrap();
    bytes
}

#[test]
fn encodings_are_arks_compressed_ones_and_round_trip() {
    let (pk, proof, _) = fixture(1);
    let bytes = encode_proof(&proof);
    assert_eq!(bytes, proof_bytes(&proof));
    assert_eq!(bytes.len(), PROOF_BYTES);
    assert_eq!(decode_proof(&bytes).unwrap(), proof);
    let vk = &pk.0.vk;
    let bytes = encode_verifying_key(vk);
    assert_eq!(bytes, vk_bytes(vk));
    assert_eq!(&decode_verifying_key(&bytes).unwrap(), vk);
}

#[test]
fn bad_points_are_named() {
    let (_, proof, _) = fixture(8);
    let bytes = proof_bytes(&proof);
    let off_curve = g1_x_off_curve();
    let (a, c) = (0..G1_BYTES, G1_BYTES + G2_BYTES..PROOF_BYTES);

    let mut t = bytes.clone();
    t[a.clone()].copy_from_slice(&off_curve);
    assert_eq!(
        decode_proof(&t),
        Err(Groth16DecodeError::InvalidPoint {
            element: Element::ProofA
        })
    );
    let mut t = bytes.clone();
    t[c.clone()].copy_from_slice(&off_curve);
    assert_eq!(
        decode_proof(&t),
        Err(Groth16DecodeError::InvalidPoint {
            element: Element::ProofC
        })
    );

    // B on the twist but outside the prime-order subgroup.
    let mut t = bytes.clone();
    t[G1_BYTES..G1_BYTES + G2_BYTES].copy_from_slice(&g2_outside_subgroup());
    let err = decode_proof(&t).unwrap_err();
    assert_eq!(
        err,
        Groth16DecodeError::NotInSubgroup {
            element: Element::ProofB
        }
    );
    assert_eq!(
        err.to_string(),
        "proof B (G2): not in the prime-order subgroup"
    );
    // …which ark's own validating decoder refuses too.
    assert!(Proof::<Bn254>::deserialize_compressed(&t[..]).is_err());

    // B's x not on the twist.
    let mut t = bytes.clone();
    let mut x = Fq2::new(Fq::from(1u64), Fq::from(1u64));
    while G2Affine::get_ys_from_x_unchecked(x).is_some() {
        x.c0 += Fq::from(1u64);
    }
    x.serialize_compressed(&mut t[G1_BYTES..G1_BYTES + G2_BYTES])
        .unwrap();
    assert_eq!(
        decode_proof(&t),
        Err(Groth16DecodeError::InvalidPoint {
            element: Element::ProofB
        })
    );
}

#[test]
fn non_canonical_and_wrong_length_encodings_are_refused() {
    let (pk, proof, inputs) = fixture(9);
    let bytes = proof_bytes(&proof);

    // The infinity flag (and no sign flag) over non-zero x bits: decodes to the identity, but
    // not canonically.
    let mut t = bytes.clone();
    t[G1_BYTES - 1] = (t[G1_BYTES - 1] & 0x3f) | 0x40;
    assert_eq!(
        decode_proof(&t),
        Err(Groth16DecodeError::NonCanonical {
            element: Element::ProofA
        })
    );
    // The canonical identity decodes (and does not verify).
    let mut t = bytes.clone();
    t[..G1_BYTES].fill(0);
    t[G1_BYTES - 1] = 1 << 6;
    let identity_a = decode_proof(&t).unwrap();
    assert!(identity_a.a.is_zero());
    let pvk = ark_groth16::prepare_verifying_key(&pk.0.vk);
    assert!(Groth16::<Bn254>::verify_proof(&pvk, &proof, &inputs).unwrap());
    assert!(!Groth16::<Bn254>::verify_proof(&pvk, &identity_a, &inputs).unwrap());

    // The generator (1, 2) as C, with x written as 1 + p: not reduced, refused.
    let mut t = bytes.clone();
    let mut generator = [0u8; G1_BYTES];
    G1Affine::generator()
        .serialize_compressed(&mut generator[..])
        .unwrap();
    let mut x = Fq::from(1u64).into_bigint();
    assert!(!x.add_with_carry(&Fq::MODULUS));
    let mut unreduced = x.to_bytes_le();
    assert_eq!(unreduced[31] & 0xc0, 0);
    unreduced[31] |= generator[31] & 0xc0;
    t[G1_BYTES + G2_BYTES..].copy_from_slice(&generator);
    assert!(decode_proof(&t).is_ok());
    t[G1_BYTES + G2_BYTES..].copy_from_slice(&unreduced);
    assert_eq!(
        decode_proof(&t),
        Err(Groth16DecodeError::InvalidPoint {
            element: Element::ProofC
        })
    );

    for len in [0, 1, PROOF_BYTES - 1, PROOF_BYTES + 1] {
        let mut t = bytes.clone();
        t.resize(len, 0);
        assert_eq!(
            decode_proof(&t),
            Err(Groth16DecodeError::ProofLength { found: len })
        );
    }
}

#[test]
fn verifying_key_decoding_round_trips_and_names_bad_elements() {
    let (pk, _, _) = fixture(10);
    let bytes = vk_bytes(&pk.0.vk);
    assert_eq!(decode_verifying_key(&bytes).unwrap(), pk.0.vk);
    // Two public inputs: three input bases.
    assert_eq!(bytes.len(), G1_BYTES + 3 * G2_BYTES + 8 + 3 * G1_BYTES);

    let g2_offset = |k: usize| G1_BYTES + k * G2_BYTES;
    for (k, element) in [(0, Element::Beta), (1, Element::Gamma), (2, Element::Delta)] {
        let mut t = bytes.clone();
        t[g2_offset(k)..g2_offset(k + 1)].copy_from_slice(&g2_outside_subgroup());
        assert_eq!(
            decode_verifying_key(&t),
            Err(Groth16DecodeError::NotInSubgroup { element })
        );
    }
    let mut t = bytes.clone();
    t[..G1_BYTES].copy_from_slice(&g1_x_off_curve());
    assert_eq!(
        decode_verifying_key(&t),
        Err(Groth16DecodeError::InvalidPoint {
            element: Element::Alpha
        })
    );
    let abc = g2_offset(3) + 8;
    let mut t = bytes.clone();
    t[abc + G1_BYTES..abc + 2 * G1_BYTES].copy_from_slice(&g1_x_off_curve());
    let err = decode_verifying_key(&t).unwrap_err();
    assert_eq!(
        err,
        Groth16DecodeError::InvalidPoint {
            element: Element::GammaAbc(1)
        }
    );
    assert_eq!(
        err.to_string(),
        "verifying key gamma_abc_g1[1]: not a valid compressed curve point"
    );
    // The infinity flag over non-zero bits in an input base; with the sign flag too, the flags
    // themselves are invalid.
    let mut t = bytes.clone();
    let last = abc + 3 * G1_BYTES - 1;
    t[last] = (t[last] & 0x3f) | 0x40;
    assert_eq!(
        decode_verifying_key(&t),
        Err(Groth16DecodeError::NonCanonical {
            element: Element::GammaAbc(2)
        })
    );
    t[last] |= 0xc0;
    assert_eq!(
        decode_verifying_key(&t),
        Err(Groth16DecodeError::InvalidPoint {
            element: Element::GammaAbc(2)
        })
    );

    // Count prefix: zero, more than the bytes hold, fewer than there are.
    let set_count = |n: u64| {
        let mut t = bytes.clone();
        t[g2_offset(3)..abc].copy_from_slice(&n.to_le_bytes());
        t
    };
    assert_eq!(
        decode_verifying_key(&set_count(0)),
        Err(Groth16DecodeError::InputBaseCount {
            declared: 0,
            room: 3
        })
    );
    assert_eq!(
        decode_verifying_key(&set_count(4)),
        Err(Groth16DecodeError::InputBaseCount {
            declared: 4,
            room: 3
        })
    );
    assert_eq!(
        decode_verifying_key(&set_count(u64::MAX)),
        Err(Groth16DecodeError::InputBaseCount {
            declared: u64::MAX,
            room: 3
        })
    );
    assert_eq!(
        decode_verifying_key(&set_count(2)),
        Err(Groth16DecodeError::TrailingBytes { count: G1_BYTES })
    );
    // Truncated: inside the prefix, inside a G2 element, inside an input base.
    assert!(matches!(
        decode_verifying_key(&bytes[..g2_offset(3) + 3]),
        Err(Groth16DecodeError::InputBaseCount { .. })
    ));
    assert_eq!(
        decode_verifying_key(&bytes[..G1_BYTES + 10]),
        Err(Groth16DecodeError::Truncated {
            element: Element::Beta,
            expected: G2_BYTES,
            found: 10
        })
    );
    assert_eq!(
        decode_verifying_key(&bytes[..bytes.len() - 1]),
        Err(Groth16DecodeError::InputBaseCount {
            declared: 3,
            room: 2
        })
    );
    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(
        decode_verifying_key(&long),
        Err(Groth16DecodeError::TrailingBytes { count: 1 })
    );
}

#[test]
fn every_single_bit_flip_of_a_key_is_refused_or_gives_another_key() {
    // The decoder never accepts two encodings of one key: a flipped bit either fails to decode
    // or decodes to a different key.
    let (pk, _, _) = fixture(11);
    let bytes = vk_bytes(&pk.0.vk);
    for i in 0..bytes.len() {
        for bit in [0u8, 6, 7] {
            let mut t = bytes.clone();
            t[i] ^= 1 << bit;
            if let Ok(vk) = decode_verifying_key(&t) {
                assert_ne!(vk, pk.0.vk, "byte {i}, bit {bit}");
                assert_eq!(encode_verifying_key(&vk), t, "byte {i}, bit {bit}");
            }
        }
    }
    // The identity is a valid (canonical) gamma_abc point: it decodes and re-encodes.
    let mut vk = pk.0.vk.clone();
    vk.gamma_abc_g1[1] = (vk.gamma_abc_g1[1] - vk.gamma_abc_g1[1]).into_affine();
    let t = vk_bytes(&vk);
    assert_eq!(decode_verifying_key(&t).unwrap(), vk);
}
