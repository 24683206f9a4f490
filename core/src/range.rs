//! The one aggregated range proof per transaction (DESIGN.md §3.5): every listed commitment opens
//! to `[0, 2^32)`. The verifier builds the list itself — output chunks in order, then the limit's
//! `W0`, `W1`, then the FX `R` and `(den−1)·G − R` — and pads it with identities to
//! `m = 2^k ≤ 64`; the proof uses `BulletproofGens::new(32, 64)` and runs in the transaction
//! transcript after the sigma proofs.
use crate::group::{chunk_scale_inverse, Point};
use crate::tx::range_parties;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;

/// The limit's `W1 = 2^-32·(L·G − Σ C_o − W0)` over the payee commitments `C_o`: only `W0`
/// travels, `W1` is derived (DESIGN.md §3.5). With `W0`, `W1` range-proven, payees receive at
/// most `L`.
pub fn limit_w1(limit: u64, payees: impl IntoIterator<Item = RistrettoPoint>, w0: &Point) -> Point {
    let paid: RistrettoPoint = payees.into_iter().sum();
    let inverse = chunk_scale_inverse();
    // 2^-32·L·G − 2^-32·(ΣC_o + W0), one double-scalar multiplication with the basepoint.
    Point::new(RistrettoPoint::vartime_double_scalar_mul_basepoint(
        &-inverse,
        &(paid + w0.point()),
        &(inverse * Scalar::from(limit)),
    ))
}

/// The list of range-proven commitments of one transaction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RangeStatement {
    /// Unpadded, in protocol order.
    pub commitments: Vec<Point>,
}

impl RangeStatement {
    /// The aggregation size `m`.
    pub fn parties(&self) -> usize {
        range_parties(self.commitments.len())
    }

    /// The commitments padded with identities to `m`, as bulletproofs takes them.
    pub fn padded(&self) -> Vec<CompressedRistretto> {
        let m = self.parties();
        self.commitments
            .iter()
            .map(|p| p.compressed())
            .chain(std::iter::repeat(Point::identity().compressed()))
            .take(m)
            .collect()
    }

    /// Whether nothing is range-proven (then no range proof travels).
    pub fn is_empty(&self) -> bool {
        self.commitments.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::{chunk_scale, g, h};

    #[test]
    fn w1_is_the_limit_minus_payments_and_w0_over_2_32() {
        let payees = [g() * Scalar::from(7u64) + h(), h() * Scalar::from(3u64)];
        let w0 = Point::new(g() * Scalar::from(11u64));
        for limit in [0, 1, 8_000_000, u64::MAX] {
            let w1 = limit_w1(limit, payees, &w0);
            let lhs = w0.point() + chunk_scale() * w1.point();
            assert_eq!(lhs, Scalar::from(limit) * g() - payees[0] - payees[1]);
        }
    }
}
