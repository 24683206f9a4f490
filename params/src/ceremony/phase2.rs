//! Phase 2: the circuit-specific key, and δ.
//!
//! Start ([`initial_key`]): with `m` constraints, `ℓ+1` instance columns (the constant one
//! first), Lagrange bases `L_k = [L_k(τ)]` over the domain of size `n ≥ m + ℓ + 1`, and R1CS
//! matrices `A, B, C` (columns: one, public inputs, witnesses), for each column `j`:
//! `a_j = Σ_k A_kj·L_k¹ (+ L_(m+j)¹ if j ≤ ℓ)`, `b_j = Σ_k B_kj·L_k` in G1 and G2,
//! `k_j = Σ_k (A_kj·[βL_k]₁ + B_kj·[αL_k]₁ + C_kj·L_k¹) (+ [βL_(m+j)]₁ if j ≤ ℓ)`; then
//! `gamma_abc_g1 = k_0..k_ℓ`, `l_query = k_(ℓ+1)…`, `h_query[i] = [τ^(n+i) − τ^i]₁` for
//! `i < n−1`, `alpha_g1 = [α]₁`, `beta_g1 = [β]₁`, `beta_g2 = [β]₂`, `γ = δ = 1`. This is
//! exactly what ark-groth16 0.6's generator makes from `(α, β, γ = 1, δ = 1, t = τ)` (its
//! `LibsnarkReduction`: the instance columns' extra terms, `h_query` from `Z(τ)·τ^i`).
//!
//! Contribution with secret `d` ([`contribute_key`]): `[δ]₁, [δ]₂ ← d·…`,
//! `l_query, h_query ← d⁻¹·…`, all else unchanged; checked by [`check_update`].

use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{Field, One, Zero};
use ark_groth16::{ProvingKey, VerifyingKey};
use corridor_circuits::fingerprint::{R1csMatrices, Row};
use rand_core::{CryptoRng, RngCore};
use rayon::prelude::*;
use zeroize::Zeroize;

use super::error::{Element, StepDecodeError, StepFailure};
use super::group::{generators, msm, mul, mul_each, random_scalars, same_ratio, Reader, Writer};
use super::phase1::{Lagrange, Powers};
use super::pok::ProofOfKnowledge;
use super::{report, CeremonyError, ProgressFn, Secret};

/// `Σ_k M_kj·basis_k` for every column `j < columns`.
fn column_sums<P: GLVConfig<ScalarField = Fr>>(
    rows: &[Row],
    basis: &[Affine<P>],
    columns: usize,
) -> Vec<Projective<P>> {
    let mut by_column: Vec<Vec<(usize, Fr)>> = vec![Vec::new(); columns];
    for (k, row) in rows.iter().enumerate() {
        for (j, coeff) in row {
            if let Some(col) = by_column.get_mut(*j) {
                col.push((k, *coeff));
            }
        }
    }
    let one = Fr::one();
    let minus_one = -one;
    by_column
        .par_iter()
        .map(|entries| {
            if entries.len() > 16 {
                let (bases, scalars): (Vec<Affine<P>>, Vec<Fr>) =
                    entries.iter().map(|(k, c)| (basis[*k], *c)).unzip();
                return Projective::<P>::msm_unchecked(&bases, &scalars);
            }
            entries
                .iter()
                .fold(Projective::<P>::zero(), |acc, (k, c)| match *c {
                    c if c == one => acc + basis[*k],
                    c if c == minus_one => acc - basis[*k],
                    c => acc + mul(&basis[*k], &c),
                })
        })
        .collect()
}

/// Phase 2's start for the circuit of `matrices`: the module doc's key from phase 1's last
/// `powers` and their Lagrange bases over the circuit's domain.
pub fn initial_key(
    powers: &Powers,
    lagrange: &Lagrange,
    matrices: &R1csMatrices,
    progress: ProgressFn<'_>,
) -> Result<ProvingKey<Bn254>, CeremonyError> {
    let n = 1usize << lagrange.power();
    let m = matrices.num_constraints();
    let instance = matrices.num_instance;
    let columns = instance + matrices.num_witness;
    let needed = (m + instance).next_power_of_two();
    if needed != n || powers.tau_g1.len() < 2 * n - 1 {
        return Err(CeremonyError::DomainTooSmall {
            needed: needed.trailing_zeros(),
            available: lagrange.power().min(powers.power()),
        });
    }
    let mut tick = report(progress, "circuit terms of the key", 6);
    let mut a = column_sums(&matrices.a, &lagrange.g1, columns);
    tick(1);
    let b_g1 = column_sums(&matrices.b, &lagrange.g1, columns);
    tick(2);
    let b_g2 = column_sums(&matrices.b, &lagrange.g2, columns);
    tick(3);
    let mut k = column_sums(&matrices.a, &lagrange.beta_g1, columns);
    let k_b = column_sums(&matrices.b, &lagrange.alpha_g1, columns);
    let k_c = column_sums(&matrices.c, &lagrange.g1, columns);
    tick(4);
    for (j, kj) in k.iter_mut().enumerate() {
        *kj += k_b[j] + k_c[j];
    }
    for j in 0..instance {
        a[j] += lagrange.g1[m + j];
        k[j] += lagrange.beta_g1[m + j];
    }
    let h: Vec<_> = (0..n - 1)
        .map(|i| powers.tau_g1[n + i].into_group() - powers.tau_g1[i])
        .collect();
    tick(5);
    let k = Projective::normalize_batch(&k);
    let (g, h2) = generators();
    let key = ProvingKey {
        vk: VerifyingKey {
            alpha_g1: powers.alpha_g1(),
            beta_g2: powers.beta_g2(),
            gamma_g2: h2,
            delta_g2: h2,
            gamma_abc_g1: k[..instance].to_vec(),
        },
        beta_g1: powers.beta_g1(),
        delta_g1: g,
        a_query: Projective::normalize_batch(&a),
        b_g1_query: Projective::normalize_batch(&b_g1),
        b_g2_query: Projective::normalize_batch(&b_g2),
        h_query: Projective::normalize_batch(&h),
        l_query: k[instance..].to_vec(),
    };
    tick(6);
    Ok(key)
}

/// The key after a contribution with secret `d`: `[δ] ← d·[δ]`, `l_query, h_query ← d⁻¹·…`.
pub(crate) fn contribute_key(
    key: &ProvingKey<Bn254>,
    d: &Fr,
    progress: ProgressFn<'_>,
) -> ProvingKey<Bn254> {
    let mut d_inv = d.inverse().unwrap_or_default();
    let mut next = key.clone();
    next.delta_g1 = mul(&key.delta_g1, d).into_affine();
    next.vk.delta_g2 = mul(&key.vk.delta_g2, d).into_affine();
    next.l_query = mul_each(
        &key.l_query,
        |_| d_inv,
        &mut report(progress, "l_query / δ", key.l_query.len()),
    );
    next.h_query = mul_each(
        &key.h_query,
        |_| d_inv,
        &mut report(progress, "h_query / δ", key.h_query.len()),
    );
    d_inv.zeroize();
    next
}

/// The first element of `a` that differs from `b`, among those a contribution leaves alone
/// (with `moving`, also δ, `l_query` and `h_query`).
pub(crate) fn first_difference(
    a: &ProvingKey<Bn254>,
    b: &ProvingKey<Bn254>,
    moving: bool,
) -> Option<Element> {
    let fixed = [
        (a.vk.alpha_g1 != b.vk.alpha_g1, Element::KeyAlphaG1),
        (a.beta_g1 != b.beta_g1, Element::KeyBetaG1),
        (a.vk.beta_g2 != b.vk.beta_g2, Element::KeyBetaG2),
        (a.vk.gamma_g2 != b.vk.gamma_g2, Element::KeyGammaG2),
        (a.vk.gamma_abc_g1 != b.vk.gamma_abc_g1, Element::GammaAbcG1),
        (a.a_query != b.a_query, Element::AQuery),
        (a.b_g1_query != b.b_g1_query, Element::BG1Query),
        (a.b_g2_query != b.b_g2_query, Element::BG2Query),
        (a.l_query.len() != b.l_query.len(), Element::LQuery),
        (a.h_query.len() != b.h_query.len(), Element::HQuery),
    ];
    let moved = [
        (
            a.delta_g1 != b.delta_g1 || a.vk.delta_g2 != b.vk.delta_g2,
            Element::Delta,
        ),
        (a.l_query != b.l_query, Element::LQuery),
        (a.h_query != b.h_query, Element::HQuery),
    ];
    fixed
        .into_iter()
        .chain(moved.into_iter().filter(|_| moving))
        .find_map(|(differs, e)| differs.then_some(e))
}

/// Checks `next` is `prev` after a contribution whose proof of knowledge `pok` (challenge
/// `g2_sp`) proves `d`: `[δ']₁ = d·[δ]₁`, `e([δ']₁, G2) = e(G1, [δ']₂)`, every element but δ,
/// `l_query`, `h_query` unchanged, and for random weights `r`,
/// `e(Σ r_i l'_i, [δ']₂) = e(Σ r_i l_i, [δ]₂)` (and `h`).
pub(crate) fn check_update<R: RngCore + CryptoRng>(
    prev: &ProvingKey<Bn254>,
    next: &ProvingKey<Bn254>,
    pok: &ProofOfKnowledge,
    g2_sp: &G2Affine,
    rng: &mut R,
) -> Result<(), StepFailure> {
    pok.check_update(
        g2_sp,
        &prev.delta_g1,
        &next.delta_g1,
        Secret::Delta,
        Element::Delta,
    )?;
    let (g, h) = generators();
    if !same_ratio(&g, &next.delta_g1, &h, &next.vk.delta_g2) {
        return Err(StepFailure::Inconsistent {
            element: Element::Delta,
        });
    }
    if let Some(element) = first_difference(prev, next, false) {
        return Err(StepFailure::Changed { element });
    }
    for (new, old, element) in [
        (&next.l_query, &prev.l_query, Element::LQuery),
        (&next.h_query, &prev.h_query, Element::HQuery),
    ] {
        if new.is_empty() {
            continue;
        }
        let r = random_scalars(new.len(), rng);
        let new_sum: G1Affine = msm(new, &r).into_affine();
        let old_sum: G1Affine = msm(old, &r).into_affine();
        // new = old/d' ⇔ e(new_sum, [δ']₂) = e(old_sum, [δ]₂).
        if !same_ratio(&new_sum, &old_sum, &prev.vk.delta_g2, &next.vk.delta_g2) {
            return Err(StepFailure::NotScaled { element });
        }
    }
    Ok(())
}

/// Writes a key: the verifying key's points and `gamma_abc_g1` (u32 count), `beta_g1`,
/// `delta_g1`, then each query (u32 count, uncompressed points).
pub(crate) fn write_key(w: &mut Writer, key: &ProvingKey<Bn254>) {
    let vk = &key.vk;
    w.point(&vk.alpha_g1);
    w.point(&vk.beta_g2);
    w.point(&vk.gamma_g2);
    w.point(&vk.delta_g2);
    let count = |w: &mut Writer, n: usize| w.u32(u32::try_from(n).unwrap_or(u32::MAX));
    count(w, vk.gamma_abc_g1.len());
    w.points(&vk.gamma_abc_g1);
    w.point(&key.beta_g1);
    w.point(&key.delta_g1);
    for q in [&key.a_query, &key.b_g1_query] {
        count(w, q.len());
        w.points(q);
    }
    count(w, key.b_g2_query.len());
    w.points(&key.b_g2_query);
    for q in [&key.h_query, &key.l_query] {
        count(w, q.len());
        w.points(q);
    }
}

/// Reads what [`write_key`] wrote (counts bounded by the bytes left; every point validated).
pub(crate) fn read_key(r: &mut Reader<'_>) -> Result<ProvingKey<Bn254>, StepDecodeError> {
    let alpha_g1 = r.g1("key alpha_g1")?;
    let beta_g2 = r.g2("key beta_g2")?;
    let gamma_g2 = r.g2("key gamma_g2")?;
    let delta_g2 = r.g2("key delta_g2")?;
    let count = |r: &mut Reader<'_>, field| r.u32(field).map(|n| n as usize);
    let n = count(r, "key gamma_abc_g1 count")?;
    let gamma_abc_g1 = r.g1s(n, "key gamma_abc_g1")?;
    let beta_g1 = r.g1("key beta_g1")?;
    let delta_g1 = r.g1("key delta_g1")?;
    let n = count(r, "key a_query count")?;
    let a_query = r.g1s(n, "key a_query")?;
    let n = count(r, "key b_g1_query count")?;
    let b_g1_query = r.g1s(n, "key b_g1_query")?;
    let n = count(r, "key b_g2_query count")?;
    let b_g2_query = r.g2s(n, "key b_g2_query")?;
    let n = count(r, "key h_query count")?;
    let h_query = r.g1s(n, "key h_query")?;
    let n = count(r, "key l_query count")?;
    let l_query = r.g1s(n, "key l_query")?;
    if a_query.len() != b_g1_query.len() || a_query.len() != b_g2_query.len() {
        return Err(StepDecodeError::OutOfRange {
            field: "key b_g1_query / b_g2_query count",
            value: b_g2_query.len() as u64,
        });
    }
    Ok(ProvingKey {
        vk: VerifyingKey {
            alpha_g1,
            beta_g2,
            gamma_g2,
            delta_g2,
            gamma_abc_g1,
        },
        beta_g1,
        delta_g1,
        a_query,
        b_g1_query,
        b_g2_query,
        h_query,
        l_query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ceremony::group::nonzero_scalar;
    use crate::ceremony::phase1::Phase1Secrets;
    use crate::testing::{product_circuit, ProductCircuit};
    use ark_groth16::{r1cs_to_qap::LibsnarkReduction, Groth16};
    use corridor_circuits::fingerprint::setup_matrices;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    /// An RNG whose `next_u64` yields the given words: makes ark's generator sample `t = τ`.
    struct Words(Vec<u64>);

    impl RngCore for Words {
        fn next_u32(&mut self) -> u32 {
            self.next_u64() as u32
        }
        fn next_u64(&mut self) -> u64 {
            self.0.remove(0)
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            for chunk in dest.chunks_mut(8) {
                let w = self.next_u64().to_le_bytes();
                chunk.copy_from_slice(&w[..chunk.len()]);
            }
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
            self.fill_bytes(dest);
            Ok(())
        }
    }

    /// Phase 1 with known secrets, then phase 2's start for the product circuit.
    fn start(seed: u64) -> (Phase1Secrets, Powers, ProvingKey<Bn254>) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let secrets = Phase1Secrets::random(&mut rng);
        let matrices = setup_matrices(ProductCircuit::blank()).unwrap();
        let power = (matrices.num_constraints() + matrices.num_instance)
            .next_power_of_two()
            .trailing_zeros();
        let powers = Powers::generators(power + 1)
            .unwrap()
            .contribute(&secrets, &mut |_| {});
        let powers = powers.truncate(power).unwrap();
        let lagrange = powers.lagrange(power, &mut |_| {}).unwrap();
        let key = initial_key(&powers, &lagrange, &matrices, &mut |_| {}).unwrap();
        (secrets, powers, key)
    }

    #[test]
    fn the_start_and_a_contribution_equal_ark_groth16s_key_for_the_same_secrets() {
        let (s, _, key) = start(1);
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let d = nonzero_scalar(&mut rng);
        let next = contribute_key(&key, &d, &mut |_| {});
        let (g, h) = generators();
        let mut words = Words(s.tau.0 .0.to_vec());
        let ark = Groth16::<Bn254, LibsnarkReduction>::generate_parameters_with_qap(
            ProductCircuit::blank(),
            s.alpha,
            s.beta,
            Fr::one(),
            d,
            g.into_group(),
            h.into_group(),
            &mut words,
        )
        .unwrap();
        assert!(words.0.is_empty(), "ark sampled t = τ");
        assert_eq!(next, ark);

        // And it proves: ark's prover and verifier accept, a wrong input is refused.
        let circuit = product_circuit(Fr::from(6u64), Fr::from(7u64));
        let proof =
            Groth16::<Bn254>::create_random_proof_with_reduction(circuit, &next, &mut rng).unwrap();
        let pvk = ark_groth16::prepare_verifying_key(&next.vk);
        let inputs = [Fr::from(42u64), Fr::from(13u64)];
        assert!(Groth16::<Bn254>::verify_proof(&pvk, &proof, &inputs).unwrap());
        assert!(!Groth16::<Bn254>::verify_proof(&pvk, &proof, &[inputs[1], inputs[0]]).unwrap());
    }

    #[test]
    fn check_update_accepts_a_contribution_and_names_what_a_bad_one_broke() {
        let (_, _, key) = start(3);
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let d = nonzero_scalar(&mut rng);
        let previous = [1u8; 32];
        let pok = ProofOfKnowledge::prove(&d, Secret::Delta, &previous, &mut rng);
        let g2_sp = pok.check(Secret::Delta, &previous).unwrap();
        let next = contribute_key(&key, &d, &mut |_| {});
        assert_eq!(check_update(&key, &next, &pok, &g2_sp, &mut rng), Ok(()));

        let mut bad = next.clone();
        bad.l_query[0] = bad.l_query[1];
        assert_eq!(
            check_update(&key, &bad, &pok, &g2_sp, &mut rng),
            Err(StepFailure::NotScaled {
                element: Element::LQuery
            })
        );
        let mut bad = next.clone();
        bad.h_query[2] = key.h_query[2];
        assert_eq!(
            check_update(&key, &bad, &pok, &g2_sp, &mut rng),
            Err(StepFailure::NotScaled {
                element: Element::HQuery
            })
        );
        let mut bad = next.clone();
        bad.a_query.swap(0, 1);
        assert_eq!(
            check_update(&key, &bad, &pok, &g2_sp, &mut rng),
            Err(StepFailure::Changed {
                element: Element::AQuery
            })
        );
        let mut bad = next.clone();
        bad.vk.delta_g2 = key.vk.delta_g2;
        assert_eq!(
            check_update(&key, &bad, &pok, &g2_sp, &mut rng),
            Err(StepFailure::Inconsistent {
                element: Element::Delta
            })
        );
        // The key unchanged (δ not applied): the proof does not move [δ]₁.
        assert_eq!(
            check_update(&key, &key, &pok, &g2_sp, &mut rng),
            Err(StepFailure::NotUpdated {
                secret: Secret::Delta,
                element: Element::Delta
            })
        );
    }

    #[test]
    fn key_encoding_roundtrips_and_refuses_mismatched_queries() {
        let (_, _, key) = start(5);
        let mut w = Writer::default();
        write_key(&mut w, &key);
        let mut r = Reader::new(&w.0);
        assert_eq!(read_key(&mut r).unwrap(), key);
        r.finish().unwrap();
        let mut bad = key.clone();
        bad.b_g2_query.pop();
        let mut w = Writer::default();
        write_key(&mut w, &bad);
        assert!(matches!(
            read_key(&mut Reader::new(&w.0)),
            Err(StepDecodeError::OutOfRange { .. })
        ));
        // A forged count larger than the bytes: refused before allocating.
        let mut bytes = Writer::default();
        write_key(&mut bytes, &key);
        let at = 64 + 3 * 128;
        bytes.0[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            read_key(&mut Reader::new(&bytes.0)),
            Err(StepDecodeError::Truncated { .. })
        ));
    }
}
