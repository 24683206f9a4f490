//! Naming the bad entries of a failed batch by bisection, for any proof system whose batch
//! check draws fresh random weights each time it runs (Groth16 multi-pairings, the block-wide
//! Ristretto MSM of [`crate::batch`]).
//!
//! A failed batch is split in two; each half is re-checked with weights drawn afresh (a half
//! known to hold a bad entry — its parent failed and its sibling passed — is split without
//! being re-checked); a single entry is verified alone, unbatched, and its own error is kept.
//! A batch of valid entries always passes (the checks are complete), so every failed batch
//! holds at least one entry that fails alone, and the entries named are exactly those.
use rand_core::{CryptoRng, RngCore};

/// A uniform, non-zero 128-bit integer from `rng`: every batch check's weight (a weight of zero
/// would drop its equation from the batch).
pub(crate) fn nonzero_u128<R: RngCore + CryptoRng + ?Sized>(rng: &mut R) -> u128 {
    loop {
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        let w = u128::from_le_bytes(bytes);
        if w != 0 {
            return w;
        }
    }
}

/// A proof system's batch check over entries of type `Item`.
pub trait BatchCheck {
    /// One entry.
    type Item;
    /// Why one entry fails alone.
    type Error;

    /// Whether every entry of `items` holds, under weights freshly drawn from `rng` (a CSPRNG
    /// whose output the entries' authors cannot predict). Must be true when every entry is
    /// valid.
    fn holds<R: RngCore + CryptoRng + ?Sized>(&self, items: &[Self::Item], rng: &mut R) -> bool;

    /// Verifies one entry alone, unbatched, with the error it gets on its own.
    ///
    /// # Errors
    /// Why `item` fails.
    fn single(&self, item: &Self::Item) -> Result<(), Self::Error>;
}

/// The positions (ascending) and single-entry errors of the entries of `items` that fail,
/// given that `items` as a whole is `known_bad` (its batch check already failed) or not yet
/// checked.
pub fn bisect<C: BatchCheck, R: RngCore + CryptoRng + ?Sized>(
    check: &C,
    items: &[C::Item],
    known_bad: bool,
    rng: &mut R,
) -> Vec<(usize, C::Error)> {
    let mut bad = Vec::new();
    descend(check, items, 0, known_bad, rng, &mut bad);
    bad
}

fn descend<C: BatchCheck, R: RngCore + CryptoRng + ?Sized>(
    check: &C,
    items: &[C::Item],
    offset: usize,
    known_bad: bool,
    rng: &mut R,
    bad: &mut Vec<(usize, C::Error)>,
) {
    match items {
        [] => {}
        [single] => {
            if let Err(e) = check.single(single) {
                bad.push((offset, e));
            }
        }
        _ => {
            if !known_bad && check.holds(items, rng) {
                return;
            }
            let mid = items.len() / 2;
            let (left, right) = items.split_at(mid);
            let left_holds = left.len() > 1 && check.holds(left, rng);
            if !left_holds {
                // A single left entry goes straight to unbatched verification.
                descend(check, left, offset, left.len() > 1, rng, bad);
            }
            // The parent failed: if the left half holds, the right half holds a bad entry.
            descend(check, right, offset + mid, left_holds, rng, bad);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use std::cell::Cell;

    /// Entries are numbers; the bad ones are odd; the "batch" holds iff none is odd.
    struct Parity {
        checks: Cell<usize>,
    }

    impl BatchCheck for Parity {
        type Item = u32;
        type Error = u32;
        fn holds<R: RngCore + CryptoRng + ?Sized>(&self, items: &[u32], _: &mut R) -> bool {
            self.checks.set(self.checks.get() + 1);
            items.iter().all(|x| x % 2 == 0)
        }
        fn single(&self, item: &u32) -> Result<(), u32> {
            if item % 2 == 0 {
                Ok(())
            } else {
                Err(*item)
            }
        }
    }

    #[test]
    fn names_exactly_the_bad_entries() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        for n in [0usize, 1, 2, 3, 7, 64, 255, 256] {
            for bad_at in [
                vec![],
                vec![0],
                vec![n / 2],
                vec![0, n / 3, n.saturating_sub(1)],
            ] {
                let items: Vec<u32> = (0..n)
                    .map(|i| 2 * i as u32 + u32::from(bad_at.contains(&i)))
                    .collect();
                let check = Parity {
                    checks: Cell::new(0),
                };
                let found = bisect(&check, &items, false, &mut rng);
                let mut expected: Vec<usize> = bad_at.iter().copied().filter(|&i| i < n).collect();
                expected.sort_unstable();
                expected.dedup();
                let positions: Vec<usize> = found.iter().map(|(i, _)| *i).collect();
                assert_eq!(positions, expected, "n = {n}");
                for (i, e) in found {
                    assert_eq!(e, items[i]);
                }
            }
        }
    }

    #[test]
    fn one_bad_in_many_costs_logarithmically_many_checks() {
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        let mut items: Vec<u32> = (0..256).map(|i| 2 * i).collect();
        items[77] += 1;
        let check = Parity {
            checks: Cell::new(0),
        };
        let found = bisect(&check, &items, true, &mut rng);
        assert_eq!(found, vec![(77, 155)]);
        // At most two checks per level (each half), 8 levels: far fewer than 256 singles.
        assert!(check.checks.get() <= 16, "{} checks", check.checks.get());
    }
}
