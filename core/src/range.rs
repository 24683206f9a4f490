//! The one aggregated range proof per transaction (DESIGN.md §3.5): every listed commitment opens
//! to `[0, 2^32)`. The verifier builds the list itself — output chunks in order, then the limit's
//! `W0`, `W1`, then the FX `R` and `(den−1)·G − R` — and pads it with identities to
//! `m = 2^k ≤ 64`; the proof uses `BulletproofGens::new(32, 64)` and runs in the transaction
//! transcript after the sigma proofs.
use crate::group::Point;
use crate::tx::range_parties;
use curve25519_dalek::ristretto::CompressedRistretto;

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
