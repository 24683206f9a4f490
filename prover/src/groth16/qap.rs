//! A circuit's constraint matrices and the witness map: from an assignment `z` to the
//! coefficients of the quotient `H = (A·B − C)/Z` (ark-groth16's `LibsnarkReduction`), with the
//! witness checked against every constraint on the way.
//!
//! Same result as `LibsnarkReduction::witness_map_from_matrices` (tested), computed with one
//! FFT fewer and each product `⟨row, z⟩` once:
//! - `a = A·z`, `b = B·z`, `c = C·z` over the constraint rows, and `a_i·b_i = c_i` checked there
//!   (the first failing row is [`Groth16ProveError::Unsatisfied`]); `a` then takes the public
//!   inputs in the `num_inputs` rows after the constraints, as libsnark's reduction does;
//! - `A`, `B`, `C` interpolated over the domain `D` of size `n` (three inverse FFTs), `A` and
//!   `B` evaluated on the coset `g·D` (two FFTs);
//! - on the coset `Z(g·ωⁱ) = gⁿ − 1` is a constant `1/k`, so `H = coset⁻¹(k·A·B) − k·C`: the
//!   coset transform is linear and `coset⁻¹(coset(C)) = C`, which saves ark's coset FFT of `C`.
//!
//! `H` has `n` coefficients and the top one is zero for a satisfied witness
//! (`deg H ≤ n − 2`); the proving key's `h_query` has `n − 1` bases (see the parent module).
//!
//! With two threads or more the three rows of products and the transforms of `A` and of `B`, `C`
//! run side by side.
use super::Groth16ProveError;
use ark_bn254::Fr;
use ark_ff::{FftField, Field, Zero};
use ark_groth16::r1cs_to_qap::evaluate_constraint;
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use ark_relations::gr1cs::{Matrix, SynthesisError};

/// A circuit's constraint matrices: the same for every witness of one circuit, so a batch or a
/// [`super::PreparedCircuit`] builds them once.
#[derive(Clone, Debug)]
pub(crate) struct R1cs {
    /// `[A, B, C]`, one row per constraint.
    pub(crate) matrices: Vec<Matrix<Fr>>,
    pub(crate) num_instance: usize,
    pub(crate) num_constraints: usize,
    /// Instance and witness variables, the constant 1 included.
    pub(crate) num_variables: usize,
}

impl R1cs {
    /// Whether the matrices have three parts of `num_constraints` rows whose variables are all
    /// below `num_variables`, with at least the constant 1 as instance variable.
    pub(crate) fn is_well_formed(&self) -> bool {
        self.matrices.len() == 3
            && self
                .matrices
                .iter()
                .all(|m| m.len() == self.num_constraints)
            && self.num_instance >= 1
            && self.num_instance <= self.num_variables
            && self
                .matrices
                .iter()
                .flatten()
                .flatten()
                .all(|&(_, index)| index < self.num_variables)
    }

    /// Bytes held by the matrices (rows and their terms).
    pub(crate) fn memory_bytes(&self) -> usize {
        self.matrices
            .iter()
            .flatten()
            .map(|row| {
                core::mem::size_of::<Vec<(Fr, usize)>>()
                    + row.capacity() * core::mem::size_of::<(Fr, usize)>()
            })
            .sum()
    }

    /// For each variable, whether matrix `m` (0: A, 1: B) uses it with a non-zero coefficient,
    /// the public inputs counting as used in A (libsnark's input rows).
    pub(crate) fn used_in(&self, m: usize) -> Vec<bool> {
        let mut used = vec![false; self.num_variables];
        if m == 0 {
            used.iter_mut()
                .take(self.num_instance)
                .for_each(|u| *u = true);
        }
        for &(coeff, index) in self.matrices.get(m).into_iter().flatten().flatten() {
            if !coeff.is_zero() {
                if let Some(u) = used.get_mut(index) {
                    *u = true;
                }
            }
        }
        used
    }
}

/// The evaluation domain of a circuit's QAP and the coset constant `k = 1/(gⁿ − 1)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Qap {
    domain: Radix2EvaluationDomain<Fr>,
    coset: Radix2EvaluationDomain<Fr>,
    /// `1/Z(g·ωⁱ)`.
    k: Fr,
}

impl Qap {
    /// The domain of `r1cs` (the smallest power of two holding its constraints and its
    /// `num_instance` input rows, as ark-groth16's `GeneralEvaluationDomain` picks for BN254).
    pub(crate) fn new(r1cs: &R1cs) -> Result<Self, Groth16ProveError> {
        let too_large = || Groth16ProveError::from(SynthesisError::PolynomialDegreeTooLarge);
        let domain = Radix2EvaluationDomain::<Fr>::new(r1cs.num_constraints + r1cs.num_instance)
            .ok_or_else(too_large)?;
        let coset = domain.get_coset(Fr::GENERATOR).ok_or_else(too_large)?;
        let k = domain
            .evaluate_vanishing_polynomial(Fr::GENERATOR)
            .inverse()
            .ok_or_else(too_large)?;
        Ok(Self { domain, coset, k })
    }

    /// The domain's size `n`: the number of coefficients of `H`.
    pub(crate) fn size(&self) -> usize {
        self.domain.size()
    }

    /// The coefficients of `H` for the assignment `z` (see the module doc), on up to two
    /// threads.
    ///
    /// The caller has checked `r1cs.is_well_formed()` and `z.len() == r1cs.num_variables`.
    pub(crate) fn quotient(
        &self,
        r1cs: &R1cs,
        z: &[Fr],
        threads: usize,
    ) -> Result<Vec<Fr>, Groth16ProveError> {
        let n = self.domain.size();
        let rows = r1cs.num_constraints;
        let mut abc: [Vec<Fr>; 3] = core::array::from_fn(|_| vec![Fr::zero(); n]);
        let product = |m: usize, out: &mut Vec<Fr>| {
            for (o, row) in out.iter_mut().zip(&r1cs.matrices[m]) {
                *o = evaluate_constraint(row, z);
            }
        };
        if threads >= 2 {
            let [a, b, c] = &mut abc;
            std::thread::scope(|scope| {
                scope.spawn(move || product(0, a));
                scope.spawn(move || product(1, b));
                product(2, c);
            });
        } else {
            for (m, out) in abc.iter_mut().enumerate() {
                product(m, out);
            }
        }
        let [mut a, mut b, mut c] = abc;
        if let Some(index) = (0..rows).find(|&i| a[i] * b[i] != c[i]) {
            return Err(Groth16ProveError::Unsatisfied { index, total: rows });
        }
        a[rows..rows + r1cs.num_instance].copy_from_slice(&z[..r1cs.num_instance]);

        let to_coset = |v: &mut Vec<Fr>| {
            self.domain.ifft_in_place(v);
            self.coset.fft_in_place(v);
        };
        if threads >= 2 {
            std::thread::scope(|scope| {
                scope.spawn(|| to_coset(&mut a));
                to_coset(&mut b);
                self.domain.ifft_in_place(&mut c);
            });
        } else {
            to_coset(&mut a);
            to_coset(&mut b);
            self.domain.ifft_in_place(&mut c);
        }
        for (a, b) in a.iter_mut().zip(&b) {
            *a *= *b * self.k;
        }
        drop(b);
        self.coset.ifft_in_place(&mut a);
        for (h, c) in a.iter_mut().zip(&c) {
            *h -= *c * self.k;
        }
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::groth16::{assign, ConstraintSynthesizer};
    use crate::test_circuits::{BitDecomposition, MulChain};
    use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
    use ark_poly::GeneralEvaluationDomain;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn both(circuit: impl ConstraintSynthesizer<Fr>) {
        let assigned = assign(circuit, true, &mut Default::default()).unwrap();
        let r1cs = assigned.r1cs.as_ref().unwrap();
        let z = &assigned.assignment;
        let ark = LibsnarkReduction::witness_map_from_matrices::<Fr, GeneralEvaluationDomain<Fr>>(
            &r1cs.matrices,
            r1cs.num_instance,
            r1cs.num_constraints,
            z,
        )
        .unwrap();
        let qap = Qap::new(r1cs).unwrap();
        assert_eq!(qap.size(), ark.len());
        for threads in [1, 2] {
            assert_eq!(qap.quotient(r1cs, z, threads).unwrap(), ark);
        }
    }

    #[test]
    fn the_quotient_equals_ark_groth16s_witness_map() {
        let mut rng = ChaCha20Rng::seed_from_u64(20);
        for (inputs, steps) in [(0, 1), (1, 7), (3, 100), (11, 300)] {
            both(MulChain::random(&mut rng, inputs, steps));
        }
        for value in [0u64, u64::MAX, 12345] {
            both(BitDecomposition::new(value));
        }
    }

    #[test]
    fn the_first_unsatisfied_row_is_named_on_any_thread_count() {
        let mut rng = ChaCha20Rng::seed_from_u64(21);
        let circuit = MulChain::random(&mut rng, 2, 40).with_wrong_output();
        let assigned = assign(circuit, true, &mut Default::default()).unwrap();
        let r1cs = assigned.r1cs.as_ref().unwrap();
        let qap = Qap::new(r1cs).unwrap();
        for threads in [1, 2] {
            assert_eq!(
                qap.quotient(r1cs, &assigned.assignment, threads)
                    .unwrap_err(),
                Groth16ProveError::Unsatisfied {
                    index: 39,
                    total: 40
                }
            );
        }
    }
}
