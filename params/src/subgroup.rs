//! Membership of BN254's G2 prime-order subgroup, in half the work of ark-bn254's own test.
//!
//! `ψ(x, y) = (x^p·c_x, y^p·c_y)` (untwist, Frobenius, twist) acts on G2 as multiplication by
//! `p ≡ 6u² (mod r)`, `u = 4965661367192848881` the BN parameter. ark-bn254 tests
//! `ψ(P) = [6u²]P` (Scott, eprint 2021/1130), a 127-bit multiplication. The same eigenvalue
//! relation rewritten with a 63-bit multiplier (El Housni, Guillevic, Piellard, eprint
//! 2022/352, BN curves): `[u+1]P + ψ([u]P) + ψ²([u]P) = ψ³([2u]P)`. On G2 both sides are
//! `[(u+1) + λu + λ²u]P` and `[2uλ³]P`, `λ = 6u²`, equal modulo `r` (checked in the tests from
//! the integers); outside G2 the test fails, which the tests check against ark-bn254's test on
//! random points of the twist, on points with a component in its small subgroup (the cofactor
//! `2p − r` has the factor 10069), and on every kind of point a decoder meets.
use ark_bn254::{Fq2, G2Affine, G2Projective};
use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, Field, MontFp};

/// The BN parameter `u`.
const U: u64 = 4_965_661_367_192_848_881;

/// `c_x = (u+9)^((p−1)/3)` (ark-bn254's `P_POWER_ENDOMORPHISM_COEFF_0`).
const PSI_X: Fq2 = Fq2::new(
    MontFp!("21575463638280843010398324269430826099269044274347216827212613867836435027261"),
    MontFp!("10307601595873709700152284273816112264069230130616436755625194854815875713954"),
);

/// `c_y = (u+9)^((p−1)/2)` (ark-bn254's `P_POWER_ENDOMORPHISM_COEFF_1`).
const PSI_Y: Fq2 = Fq2::new(
    MontFp!("2821565182194536844548159561693502659359617185244120367078079554186484126554"),
    MontFp!("3505843767911556378687030309984248845540243509899259641013678093033130930403"),
);

/// `ψ` on Jacobian coordinates: `(X^p·c_x, Y^p·c_y, Z^p)` (the Frobenius is a field
/// automorphism, so it commutes with `x = X/Z²`, `y = Y/Z³`).
fn psi(p: &G2Projective) -> G2Projective {
    let mut out = *p;
    out.x.frobenius_map_in_place(1);
    out.y.frobenius_map_in_place(1);
    out.z.frobenius_map_in_place(1);
    out.x *= PSI_X;
    out.y *= PSI_Y;
    out
}

/// Whether `point` (on the curve) lies in G2, the subgroup of order `r`. The identity does.
#[must_use]
pub fn g2_in_subgroup(point: &G2Affine) -> bool {
    if point.is_zero() {
        return true;
    }
    let p = point.into_group();
    // From the affine point: mixed additions.
    let up = point.mul_bigint([U]);
    let lhs = up + p + psi(&up) + psi(&psi(&up));
    let rhs = psi(&psi(&psi(&up.double())));
    lhs == rhs
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{Fq, Fr};
    use ark_ec::{CurveGroup, PrimeGroup};
    use ark_ff::{PrimeField, UniformRand, Zero};
    use num_bigint::BigUint;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    /// A random point of the twist curve, not cleared by the cofactor.
    fn twist_point(rng: &mut ChaCha20Rng) -> G2Affine {
        loop {
            let x = Fq2::rand(rng);
            if let Some(p) = G2Affine::get_point_from_x_unchecked(x, bool::rand(rng)) {
                if p.is_on_curve() {
                    return p;
                }
            }
        }
    }

    fn big<F: PrimeField>() -> BigUint {
        F::MODULUS.into()
    }

    #[test]
    fn the_relation_holds_modulo_r() {
        let (u, r, p) = (BigUint::from(U), big::<Fr>(), big::<Fq>());
        let lambda = BigUint::from(6u8) * &u * &u % &r;
        let lhs = (&u + 1u8 + &lambda * &u + &lambda * &lambda * &u) % &r;
        let rhs = (&lambda * &lambda * &lambda * 2u8 * &u) % &r;
        assert_eq!(lhs, rhs);
        // And p ≡ λ (mod r): ψ is multiplication by λ on G2.
        assert_eq!(p % &r, lambda);
    }

    #[test]
    fn agrees_with_ark_on_subgroup_and_twist_points() {
        let mut rng = ChaCha20Rng::seed_from_u64(17);
        assert!(g2_in_subgroup(&G2Affine::zero()));
        assert!(g2_in_subgroup(&G2Affine::generator()));
        for _ in 0..200 {
            let g = (G2Projective::generator() * Fr::rand(&mut rng)).into_affine();
            assert!(g.is_in_correct_subgroup_assuming_on_curve());
            assert!(g2_in_subgroup(&g));
            let t = twist_point(&mut rng);
            assert_eq!(
                g2_in_subgroup(&t),
                t.is_in_correct_subgroup_assuming_on_curve()
            );
            assert!(!g2_in_subgroup(&t), "a random twist point is outside G2");
        }
    }

    /// Points with a component of order 10069 (a factor of the cofactor `2p − r`) added to a
    /// subgroup point: outside G2, and refused.
    #[test]
    fn small_subgroup_components_are_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(18);
        let (r, p) = (big::<Fr>(), big::<Fq>());
        let cofactor = BigUint::from(2u8) * p - &r;
        assert_eq!(&cofactor % 10069u32, BigUint::from(0u8));
        let killer = r * (cofactor / 10069u32);
        let mut found = 0;
        while found < 20 {
            let t = twist_point(&mut rng)
                .into_group()
                .mul_bigint(killer.to_u64_digits());
            if t.is_zero() {
                continue;
            }
            // Order 10069: [10069]T = 0.
            assert!(t.mul_bigint([10069u64]).is_zero());
            let g = G2Projective::generator() * Fr::rand(&mut rng);
            let shifted = (g + t).into_affine();
            assert!(!shifted.is_in_correct_subgroup_assuming_on_curve());
            assert!(!g2_in_subgroup(&shifted));
            assert!(!g2_in_subgroup(&t.into_affine()));
            found += 1;
        }
    }
}
