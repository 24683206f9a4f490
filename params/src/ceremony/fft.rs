//! The radix-2 inverse FFT over scalars and group elements: phase 2's Lagrange bases are the
//! inverse transform of phase 1's powers, and their check transforms the random weights.

use ark_bn254::Fr;
use ark_ff::{FftField, Field};
use rayon::prelude::*;
use std::ops::{Add, Sub};

/// The generator `ω` of the multiplicative subgroup of order `n` (a power of two): ark-poly's
/// `Radix2EvaluationDomain::new(n)` generator, which ark-groth16 and snarkjs use too.
pub(crate) fn root_of_unity(n: usize) -> Option<Fr> {
    Fr::get_root_of_unity(u64::try_from(n).ok()?)
}

/// In place, `a_j ← n⁻¹ Σ_i a_i ω^(−ij)` for `n = a.len()` a power of two: for powers
/// `a_i = [τ^i]`, the Lagrange basis `[L_j(τ)]` of the domain `{ω^j}`. `mul` multiplies an
/// element by a scalar; `progress(stage)` after each of the `log n + 1` stages. `None` if `n`
/// is not a power of two the field supports.
pub(crate) fn ifft<T>(
    a: &mut [T],
    mul: impl Fn(&T, &Fr) -> T + Sync,
    progress: &mut dyn FnMut(usize),
) -> Option<()>
where
    T: Copy + Send + Sync + Add<Output = T> + Sub<Output = T>,
{
    let n = a.len();
    if !n.is_power_of_two() {
        return None;
    }
    let omega_inv = root_of_unity(n)?.inverse()?;
    let n_inv = Fr::from(u64::try_from(n).ok()?).inverse()?;
    let bits = n.trailing_zeros();
    if bits > 0 {
        for i in 0..n {
            let j = i.reverse_bits() >> (usize::BITS - bits);
            if i < j {
                a.swap(i, j);
            }
        }
    }
    // twiddles[j] = ω^(−j), j < n/2; stage m uses every (n/m)-th.
    let mut twiddles = Vec::with_capacity(n / 2);
    let mut w = Fr::from(1u64);
    for _ in 0..n / 2 {
        twiddles.push(w);
        w *= omega_inv;
    }
    let mut m = 2;
    let mut stage = 0;
    while m <= n {
        let half = m / 2;
        let stride = n / m;
        a.par_chunks_mut(m).for_each(|block| {
            let (lo, hi) = block.split_at_mut(half);
            lo.par_iter_mut()
                .zip(hi.par_iter_mut())
                .enumerate()
                .with_min_len(64)
                .for_each(|(j, (u, v))| {
                    let t = if j == 0 {
                        *v
                    } else {
                        mul(v, &twiddles[j * stride])
                    };
                    let x = *u;
                    *u = x + t;
                    *v = x - t;
                });
        });
        stage += 1;
        progress(stage);
        m *= 2;
    }
    a.par_iter_mut()
        .with_min_len(64)
        .for_each(|x| *x = mul(x, &n_inv));
    progress(stage + 1);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ceremony::group::{mul_projective, random_scalars};
    use ark_bn254::{G1Affine, G1Projective};
    use ark_ec::AffineRepr;
    use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn matches_ark_poly_on_scalars_and_points() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        for n in [1usize, 2, 8, 256] {
            let domain = Radix2EvaluationDomain::<Fr>::new(n).unwrap();
            assert_eq!(Some(domain.group_gen), root_of_unity(n));
            let scalars = random_scalars(n, &mut rng);
            let mut ours = scalars.clone();
            ifft(&mut ours, |x, s| *x * s, &mut |_| {}).unwrap();
            assert_eq!(ours, domain.ifft(&scalars));

            let points: Vec<G1Projective> =
                scalars.iter().map(|s| G1Affine::generator() * s).collect();
            let mut ours = points.clone();
            ifft(&mut ours, mul_projective, &mut |_| {}).unwrap();
            assert_eq!(ours, domain.ifft(&points));
        }
        assert!(ifft(&mut [Fr::from(1u64); 3], |x, s| *x * s, &mut |_| {}).is_none());
    }
}
