//! Phase 1: the powers of τ on BN254 for a domain of size `n = 2^power`.
//!
//! Relation of a well-formed state ([`Powers::check`]): ∃ `τ, α, β ≠ 0`:
//! `tau_g1[i] = [τ^i]₁` (`i < 2n−1`), `tau_g2[i] = [τ^i]₂`, `alpha_tau_g1[i] = [α·τ^i]₁`,
//! `beta_tau_g1[i] = [β·τ^i]₁` (`i < n`), `beta_g2 = [β]₂`. A contribution with secrets
//! `(t, a, b)` maps it to the state of `(t·τ, a·α, b·β)` ([`Powers::contribute`]).
//!
//! `2n−1` powers in G1 because ark-groth16's `h_query[i] = (τ^(n+i) − τ^i)/δ` runs to
//! `i = n−2` (`../shared/notes/ceremony.md`); the layout is snarkjs's sections 2–6.

use ark_bn254::{Fr, G1Affine, G2Affine};
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup};
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::error::{Element, StepDecodeError, StepFailure};
use super::fft::{ifft, root_of_unity};
use super::group::{
    generators, msm, mul, mul_each, mul_projective, nonzero_scalar, random_scalars, same_ratio,
    Reader, Writer,
};
use super::{report, CeremonyError, ProgressFn, MAX_POWER};

/// A phase-1 state: the powers of τ (module doc).
#[derive(Clone, PartialEq, Eq)]
pub struct Powers {
    power: u32,
    pub(crate) tau_g1: Vec<G1Affine>,
    pub(crate) tau_g2: Vec<G2Affine>,
    pub(crate) alpha_tau_g1: Vec<G1Affine>,
    pub(crate) beta_tau_g1: Vec<G1Affine>,
    pub(crate) beta_g2: G2Affine,
}

impl std::fmt::Debug for Powers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Powers")
            .field("power", &self.power)
            .finish()
    }
}

/// Checks `1 ≤ power ≤ MAX_POWER`.
pub(crate) fn check_power(power: u32) -> Result<(), CeremonyError> {
    if power == 0 || power > MAX_POWER {
        return Err(CeremonyError::Power {
            power,
            max: MAX_POWER,
        });
    }
    Ok(())
}

/// The secrets of one phase-1 contribution; zeroised when dropped, never printed.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct Phase1Secrets {
    pub(crate) tau: Fr,
    pub(crate) alpha: Fr,
    pub(crate) beta: Fr,
}

impl std::fmt::Debug for Phase1Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Phase1Secrets(redacted)")
    }
}

impl Phase1Secrets {
    /// Fresh non-zero secrets, none of them 1.
    pub(crate) fn random<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        Phase1Secrets {
            tau: nonzero_scalar(rng),
            alpha: nonzero_scalar(rng),
            beta: nonzero_scalar(rng),
        }
    }
}

impl Powers {
    /// The start of a fresh phase 1: every element the generator (τ = α = β = 1).
    pub fn generators(power: u32) -> Result<Self, CeremonyError> {
        check_power(power)?;
        let n = 1usize << power;
        let (g, h) = generators();
        Ok(Powers {
            power,
            tau_g1: vec![g; 2 * n - 1],
            tau_g2: vec![h; n],
            alpha_tau_g1: vec![g; n],
            beta_tau_g1: vec![g; n],
            beta_g2: h,
        })
    }

    /// From its parts; `None` unless the lengths are those of `2^power`.
    pub(crate) fn from_parts(
        power: u32,
        tau_g1: Vec<G1Affine>,
        tau_g2: Vec<G2Affine>,
        alpha_tau_g1: Vec<G1Affine>,
        beta_tau_g1: Vec<G1Affine>,
        beta_g2: G2Affine,
    ) -> Option<Self> {
        let n = 1usize.checked_shl(power)?;
        (tau_g1.len() == 2 * n - 1
            && tau_g2.len() == n
            && alpha_tau_g1.len() == n
            && beta_tau_g1.len() == n)
            .then_some(Powers {
                power,
                tau_g1,
                tau_g2,
                alpha_tau_g1,
                beta_tau_g1,
                beta_g2,
            })
    }

    /// `log2 n`.
    pub fn power(&self) -> u32 {
        self.power
    }

    /// The domain size `n`.
    pub fn size(&self) -> usize {
        1 << self.power
    }

    /// `[τ^i]₁`, `i < 2n−1`.
    pub fn tau_g1(&self) -> &[G1Affine] {
        &self.tau_g1
    }

    /// `[α]₁`.
    pub fn alpha_g1(&self) -> G1Affine {
        self.alpha_tau_g1[0]
    }

    /// `[β]₁`.
    pub fn beta_g1(&self) -> G1Affine {
        self.beta_tau_g1[0]
    }

    /// `[β]₂`.
    pub fn beta_g2(&self) -> G2Affine {
        self.beta_g2
    }

    /// The state after a contribution with `secrets`: `tau_g1[i]·t^i`, `tau_g2[i]·t^i`,
    /// `alpha_tau_g1[i]·a·t^i`, `beta_tau_g1[i]·b·t^i`, `beta_g2·b`. The powers of `t` are
    /// zeroised before returning.
    pub(crate) fn contribute(&self, secrets: &Phase1Secrets, progress: ProgressFn<'_>) -> Powers {
        let mut t_powers = Vec::with_capacity(self.tau_g1.len());
        let mut x = Fr::from(1u64);
        for _ in 0..self.tau_g1.len() {
            t_powers.push(x);
            x *= secrets.tau;
        }
        x.zeroize();
        let tau_g1 = mul_each(
            &self.tau_g1,
            |i| t_powers[i],
            &mut report(progress, "[τ^i]₁", self.tau_g1.len()),
        );
        let tau_g2 = mul_each(
            &self.tau_g2,
            |i| t_powers[i],
            &mut report(progress, "[τ^i]₂", self.tau_g2.len()),
        );
        let alpha_tau_g1 = mul_each(
            &self.alpha_tau_g1,
            |i| secrets.alpha * t_powers[i],
            &mut report(progress, "[α·τ^i]₁", self.alpha_tau_g1.len()),
        );
        let beta_tau_g1 = mul_each(
            &self.beta_tau_g1,
            |i| secrets.beta * t_powers[i],
            &mut report(progress, "[β·τ^i]₁", self.beta_tau_g1.len()),
        );
        let beta_g2 = mul(&self.beta_g2, &secrets.beta).into_affine();
        t_powers.zeroize();
        Powers {
            power: self.power,
            tau_g1,
            tau_g2,
            alpha_tau_g1,
            beta_tau_g1,
            beta_g2,
        }
    }

    /// Checks the state is well-formed (module doc): first powers the generators, `[τ]₁`,
    /// `[τ]₂` and `[β]₁`, `[β]₂` of one exponent, and each vector successive powers by a random
    /// linear combination with full-size weights drawn from `rng`.
    pub(crate) fn check<R: RngCore + CryptoRng>(&self, rng: &mut R) -> Result<(), StepFailure> {
        let (g, h) = generators();
        let tau1 = self.tau_g1[1];
        let tau2 = self.tau_g2[1];
        for (point_is_zero, element) in [
            (tau1.is_zero(), Element::TauG1),
            (tau2.is_zero(), Element::TauG2),
            (self.alpha_tau_g1[0].is_zero(), Element::AlphaTauG1),
            (self.beta_tau_g1[0].is_zero(), Element::BetaTauG1),
            (self.beta_g2.is_zero(), Element::BetaG2),
        ] {
            if point_is_zero {
                return Err(StepFailure::Identity { element });
            }
        }
        if self.tau_g1[0] != g {
            return Err(StepFailure::Inconsistent {
                element: Element::TauG1,
            });
        }
        if self.tau_g2[0] != h || !same_ratio(&g, &tau1, &h, &tau2) {
            return Err(StepFailure::Inconsistent {
                element: Element::TauG2,
            });
        }
        if !same_ratio(&g, &self.beta_tau_g1[0], &h, &self.beta_g2) {
            return Err(StepFailure::Inconsistent {
                element: Element::BetaG2,
            });
        }
        for (v, element) in [
            (&self.tau_g1, Element::TauG1),
            (&self.alpha_tau_g1, Element::AlphaTauG1),
            (&self.beta_tau_g1, Element::BetaTauG1),
        ] {
            let (left, right) = shifted_combination(v, rng);
            // right = τ·left ⇔ e(left, [τ]₂) = e(right, G2).
            if !same_ratio(&left, &right, &h, &tau2) {
                return Err(StepFailure::NotPowers { element });
            }
        }
        let (left, right) = shifted_combination(&self.tau_g2, rng);
        if !same_ratio(&g, &tau1, &left, &right) {
            return Err(StepFailure::NotPowers {
                element: Element::TauG2,
            });
        }
        Ok(())
    }

    /// The Lagrange bases of the domain of size `2^power` (at most this state's), each the
    /// inverse FFT of the first `2^power` powers (a few seconds to a minute: `n/2·log n` scalar
    /// multiplications per basis).
    pub(crate) fn lagrange(
        &self,
        power: u32,
        progress: ProgressFn<'_>,
    ) -> Result<Lagrange, CeremonyError> {
        if power > self.power {
            return Err(CeremonyError::DomainTooSmall {
                needed: power,
                available: self.power,
            });
        }
        let n = 1usize << power;
        let bad = || CeremonyError::Power {
            power,
            max: MAX_POWER,
        };
        Ok(Lagrange {
            power,
            g1: lagrange_basis(&self.tau_g1[..n], "Lagrange basis [L_j(τ)]₁", progress)
                .ok_or_else(bad)?,
            g2: lagrange_basis(&self.tau_g2[..n], "Lagrange basis [L_j(τ)]₂", progress)
                .ok_or_else(bad)?,
            alpha_g1: lagrange_basis(
                &self.alpha_tau_g1[..n],
                "Lagrange basis [α·L_j(τ)]₁",
                progress,
            )
            .ok_or_else(bad)?,
            beta_g1: lagrange_basis(
                &self.beta_tau_g1[..n],
                "Lagrange basis [β·L_j(τ)]₁",
                progress,
            )
            .ok_or_else(bad)?,
        })
    }

    /// The first of `[τ]₁`, `[α]₁`, `[β]₁` still the generator (its secret is 1), as in a
    /// `.ptau` that `snarkjs powersoftau new` made and nobody contributed to.
    pub(crate) fn uncontributed(&self) -> Option<Element> {
        let g = G1Affine::generator();
        [
            (self.tau_g1[1], Element::TauG1),
            (self.alpha_g1(), Element::AlphaTauG1),
            (self.beta_g1(), Element::BetaTauG1),
        ]
        .into_iter()
        .find_map(|(p, element)| (p == g).then_some(element))
    }

    /// The first `2^power` powers (`2^(power+1) − 1` in G1) of a larger state.
    #[cfg(test)]
    pub(crate) fn truncate(mut self, power: u32) -> Option<Self> {
        if power > self.power {
            return None;
        }
        let n = 1usize << power;
        self.tau_g1.truncate(2 * n - 1);
        self.tau_g2.truncate(n);
        self.alpha_tau_g1.truncate(n);
        self.beta_tau_g1.truncate(n);
        self.power = power;
        Some(self)
    }

    /// The first element that differs from `other` (same power assumed).
    pub(crate) fn first_difference(&self, other: &Powers) -> Option<Element> {
        [
            (self.tau_g1 != other.tau_g1, Element::TauG1),
            (self.tau_g2 != other.tau_g2, Element::TauG2),
            (self.alpha_tau_g1 != other.alpha_tau_g1, Element::AlphaTauG1),
            (self.beta_tau_g1 != other.beta_tau_g1, Element::BetaTauG1),
            (self.beta_g2 != other.beta_g2, Element::BetaG2),
        ]
        .into_iter()
        .find_map(|(differs, e)| differs.then_some(e))
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.u32(self.power);
        w.points(&self.tau_g1);
        w.points(&self.tau_g2);
        w.points(&self.alpha_tau_g1);
        w.points(&self.beta_tau_g1);
        w.point(&self.beta_g2);
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, StepDecodeError> {
        let power = r.u32("power")?;
        if power == 0 || power > MAX_POWER {
            return Err(StepDecodeError::OutOfRange {
                field: "power",
                value: power.into(),
            });
        }
        let n = 1usize << power;
        Ok(Powers {
            power,
            tau_g1: r.g1s(2 * n - 1, "[τ^i]₁")?,
            tau_g2: r.g2s(n, "[τ^i]₂")?,
            alpha_tau_g1: r.g1s(n, "[α·τ^i]₁")?,
            beta_tau_g1: r.g1s(n, "[β·τ^i]₁")?,
            beta_g2: r.g2("[β]₂")?,
        })
    }
}

/// The inverse FFT of `powers` (a power-of-two count): the Lagrange basis at τ.
fn lagrange_basis<P: GLVConfig<ScalarField = Fr>>(
    powers: &[Affine<P>],
    task: &'static str,
    progress: ProgressFn<'_>,
) -> Option<Vec<Affine<P>>> {
    let stages = powers.len().trailing_zeros() as usize + 1;
    let mut a: Vec<Projective<P>> = powers.iter().map(|p| p.into_group()).collect();
    ifft(&mut a, mul_projective, &mut report(progress, task, stages))?;
    Some(Projective::<P>::normalize_batch(&a))
}

/// `(Σ r_i v_i, Σ r_i v_(i+1))` over `i < len − 1` with fresh weights `r_i`.
fn shifted_combination<P, R>(v: &[Affine<P>], rng: &mut R) -> (Affine<P>, Affine<P>)
where
    P: SWCurveConfig<ScalarField = Fr>,
    R: RngCore + CryptoRng,
{
    let k = v.len().saturating_sub(1);
    let r = random_scalars(k, rng);
    (
        msm(&v[..k], &r).into_affine(),
        msm(&v[1..=k], &r).into_affine(),
    )
}

/// The Lagrange bases of phase 1's powers over the circuit's domain `{ω^j}` of size
/// `n = 2^power`: `[L_j(τ)]₁`, `[L_j(τ)]₂`, `[α·L_j(τ)]₁`, `[β·L_j(τ)]₁` (snarkjs's sections
/// 12–15 for that size).
#[derive(Clone, PartialEq, Eq)]
pub struct Lagrange {
    power: u32,
    pub(crate) g1: Vec<G1Affine>,
    pub(crate) g2: Vec<G2Affine>,
    pub(crate) alpha_g1: Vec<G1Affine>,
    pub(crate) beta_g1: Vec<G1Affine>,
}

impl std::fmt::Debug for Lagrange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lagrange")
            .field("power", &self.power)
            .finish()
    }
}

impl Lagrange {
    /// `log2 n`.
    pub fn power(&self) -> u32 {
        self.power
    }

    /// From its parts (the `.ptau` reader); `None` unless each has `2^power` points.
    pub(crate) fn from_parts(
        power: u32,
        g1: Vec<G1Affine>,
        g2: Vec<G2Affine>,
        alpha_g1: Vec<G1Affine>,
        beta_g1: Vec<G1Affine>,
    ) -> Option<Self> {
        let n = 1usize.checked_shl(power)?;
        (g1.len() == n && g2.len() == n && alpha_g1.len() == n && beta_g1.len() == n).then_some(
            Lagrange {
                power,
                g1,
                g2,
                alpha_g1,
                beta_g1,
            },
        )
    }

    /// Checks these are the Lagrange bases of `powers` over the domain of size `2^power`: for
    /// random weights `r`, `Σ r_j L_j = Σ s_i P_i` with `s = ifft(r)` (as `L = ifft(P)` and the
    /// inverse DFT matrix is symmetric).
    pub(crate) fn check<R: RngCore + CryptoRng>(
        &self,
        powers: &Powers,
        rng: &mut R,
    ) -> Result<(), StepFailure> {
        let n = 1usize << self.power;
        let weights = |rng: &mut R| {
            let r = random_scalars(n, rng);
            let mut s = r.clone();
            ifft(&mut s, |x, y| *x * y, &mut |_| {}).map(|()| (r, s))
        };
        for (basis, p, element) in [
            (&self.g1, &powers.tau_g1, Element::LagrangeG1),
            (
                &self.alpha_g1,
                &powers.alpha_tau_g1,
                Element::LagrangeAlphaG1,
            ),
            (&self.beta_g1, &powers.beta_tau_g1, Element::LagrangeBetaG1),
        ] {
            let Some((r, s)) = weights(rng) else {
                return Err(StepFailure::NotLagrange { element });
            };
            if p.len() < n || msm(basis, &r) != msm(&p[..n], &s) {
                return Err(StepFailure::NotLagrange { element });
            }
        }
        let element = Element::LagrangeG2;
        let Some((r, s)) = weights(rng) else {
            return Err(StepFailure::NotLagrange { element });
        };
        if powers.tau_g2.len() < n || msm(&self.g2, &r) != msm(&powers.tau_g2[..n], &s) {
            return Err(StepFailure::NotLagrange { element });
        }
        Ok(())
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.u32(self.power);
        w.points(&self.g1);
        w.points(&self.g2);
        w.points(&self.alpha_g1);
        w.points(&self.beta_g1);
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, StepDecodeError> {
        let power = r.u32("Lagrange power")?;
        if power == 0 || power > MAX_POWER || root_of_unity(1 << power).is_none() {
            return Err(StepDecodeError::OutOfRange {
                field: "Lagrange power",
                value: power.into(),
            });
        }
        let n = 1usize << power;
        Ok(Lagrange {
            power,
            g1: r.g1s(n, "Lagrange [L_j(τ)]₁")?,
            g2: r.g2s(n, "Lagrange [L_j(τ)]₂")?,
            alpha_g1: r.g1s(n, "Lagrange [α·L_j(τ)]₁")?,
            beta_g1: r.g1s(n, "Lagrange [β·L_j(τ)]₁")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn contributed(power: u32, seed: u64) -> (Powers, Phase1Secrets) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let secrets = Phase1Secrets::random(&mut rng);
        let p = Powers::generators(power)
            .unwrap()
            .contribute(&secrets, &mut |_| {});
        (p, secrets)
    }

    #[test]
    fn a_contribution_gives_the_powers_of_its_secrets() {
        let (p, s) = contributed(3, 1);
        let (g, h) = generators();
        let mut x = Fr::from(1u64);
        for i in 0..p.tau_g1.len() {
            assert_eq!(p.tau_g1[i], (g * x).into_affine());
            if i < p.size() {
                assert_eq!(p.tau_g2[i], (h * x).into_affine());
                assert_eq!(p.alpha_tau_g1[i], (g * (s.alpha * x)).into_affine());
                assert_eq!(p.beta_tau_g1[i], (g * (s.beta * x)).into_affine());
            }
            x *= s.tau;
        }
        assert_eq!(p.beta_g2, (h * s.beta).into_affine());
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        assert_eq!(p.check(&mut rng), Ok(()));
        assert_eq!(Powers::generators(3).unwrap().check(&mut rng), Ok(()));
    }

    #[test]
    fn check_names_a_broken_vector() {
        let (p, _) = contributed(3, 3);
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let g = G1Affine::generator();
        let mut bad = p.clone();
        bad.tau_g1[5] = g;
        assert_eq!(
            bad.check(&mut rng),
            Err(StepFailure::NotPowers {
                element: Element::TauG1
            })
        );
        let mut bad = p.clone();
        bad.alpha_tau_g1[7] = g;
        assert_eq!(
            bad.check(&mut rng),
            Err(StepFailure::NotPowers {
                element: Element::AlphaTauG1
            })
        );
        let mut bad = p.clone();
        bad.beta_tau_g1[2] = g;
        assert_eq!(
            bad.check(&mut rng),
            Err(StepFailure::NotPowers {
                element: Element::BetaTauG1
            })
        );
        let mut bad = p.clone();
        bad.tau_g2[3] = G2Affine::generator();
        assert_eq!(
            bad.check(&mut rng),
            Err(StepFailure::NotPowers {
                element: Element::TauG2
            })
        );
        let mut bad = p.clone();
        bad.beta_g2 = bad.tau_g2[1];
        assert_eq!(
            bad.check(&mut rng),
            Err(StepFailure::Inconsistent {
                element: Element::BetaG2
            })
        );
        let mut bad = p;
        bad.tau_g1[0] = bad.tau_g1[1];
        assert_eq!(
            bad.check(&mut rng),
            Err(StepFailure::Inconsistent {
                element: Element::TauG1
            })
        );
    }

    #[test]
    fn lagrange_bases_are_the_lagrange_polynomials_at_tau() {
        let (p, s) = contributed(4, 5);
        let l = p.lagrange(3, &mut |_| {}).unwrap();
        let domain = Radix2EvaluationDomain::<Fr>::new(8).unwrap();
        let at_tau = domain.evaluate_all_lagrange_coefficients(s.tau);
        let (g, h) = generators();
        assert_eq!(at_tau.len(), 8);
        for (j, l_j) in at_tau.iter().enumerate() {
            assert_eq!(l.g1[j], (g * l_j).into_affine());
            assert_eq!(l.g2[j], (h * l_j).into_affine());
            assert_eq!(l.alpha_g1[j], (g * (s.alpha * l_j)).into_affine());
            assert_eq!(l.beta_g1[j], (g * (s.beta * l_j)).into_affine());
        }
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        assert_eq!(l.check(&p, &mut rng), Ok(()));
        let mut bad = l.clone();
        bad.beta_g1.swap(1, 2);
        assert_eq!(
            bad.check(&p, &mut rng),
            Err(StepFailure::NotLagrange {
                element: Element::LagrangeBetaG1
            })
        );
        let mut bad = l;
        bad.g2[0] = bad.g2[1];
        assert_eq!(
            bad.check(&p, &mut rng),
            Err(StepFailure::NotLagrange {
                element: Element::LagrangeG2
            })
        );
        assert!(matches!(
            p.lagrange(5, &mut |_| {}),
            Err(CeremonyError::DomainTooSmall { .. })
        ));
    }

    #[test]
    fn encoding_roundtrips() {
        let (p, _) = contributed(2, 7);
        let mut w = Writer::default();
        p.write(&mut w);
        let mut r = Reader::new(&w.0);
        assert_eq!(Powers::read(&mut r).unwrap(), p);
        r.finish().unwrap();
        let l = p.lagrange(2, &mut |_| {}).unwrap();
        let mut w = Writer::default();
        l.write(&mut w);
        let mut r = Reader::new(&w.0);
        assert_eq!(Lagrange::read(&mut r).unwrap(), l);
        r.finish().unwrap();
        assert_eq!(p.clone().truncate(1).unwrap().tau_g1.len(), 3);
        assert!(p.truncate(3).is_none());
    }

    #[test]
    fn secrets_are_redacted_and_zeroised() {
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        let mut s = Phase1Secrets::random(&mut rng);
        assert_eq!(format!("{s:?}"), "Phase1Secrets(redacted)");
        s.zeroize();
        assert_eq!(
            (s.tau, s.alpha, s.beta),
            (Fr::from(0u64), Fr::from(0u64), Fr::from(0u64))
        );
    }
}
