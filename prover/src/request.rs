//! What a prover is given: a view-only wallet and one request per transaction kind.
//!
//! DESIGN.md §1: spend keys never leave the wallet. A prover — this library in the wallet's own
//! process, or an operator's prover service — builds and proves an *unsigned* transaction from a
//! [`ViewWallet`] (the address, the view key that decrypts and re-commits the inputs, the
//! wallet's decrypted notes) and a request; the wallet signs the result with its spend key. None
//! of these types can carry a spend key: a [`ViewWallet`] is made from an address and a view key,
//! or from [`WalletKeys`] by dropping the spend key.
//!
//! The requests are what the prover service's gRPC messages map onto
//! (`corridor.prover.v1.Prover`): one struct per kind, owned data only, except the KYC
//! credential, which borrows the prover's Groth16 proving key.
use crate::builder::{OwnedNote, Payment, RemittanceRequest};
use crate::error::ProveError;
use crate::kyc::KycCredential;
use corridor_core::address::Address;
use corridor_core::keys::{ViewKey, WalletKeys};
use corridor_core::note::Note;
use corridor_core::tx::NoteId;
use std::fmt;

/// A wallet without its spend key: what a prover may hold.
#[derive(Clone)]
pub struct ViewWallet {
    address: Address,
    view: ViewKey,
    notes: Vec<OwnedNote>,
}

impl fmt::Debug for ViewWallet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ViewWallet({}, {} notes)",
            self.address.encode(),
            self.notes.len()
        )
    }
}

impl ViewWallet {
    /// The wallet of `address` with view key `view`; refuses a view key that is not the
    /// address's.
    pub fn new(address: Address, view: ViewKey) -> Result<Self, ProveError> {
        if address.view_key() != &view.public() {
            return Err(ProveError::ViewKeyMismatch);
        }
        Ok(ViewWallet {
            address,
            view,
            notes: Vec::new(),
        })
    }

    /// The view-only half of `keys`.
    pub fn of(keys: &WalletKeys) -> Self {
        ViewWallet {
            address: keys.address(),
            view: keys.view.clone(),
            notes: Vec::new(),
        }
    }

    /// The address.
    pub fn address(&self) -> Address {
        self.address
    }

    /// The view key.
    pub fn view(&self) -> &ViewKey {
        &self.view
    }

    /// The notes received so far (spent or not: the node knows which are spent).
    pub fn notes(&self) -> &[OwnedNote] {
        &self.notes
    }

    /// Takes `note` if this wallet owns it: decrypts it and keeps it. Returns whether it was
    /// taken (a note already held is not taken twice). A note of another owner is not an error.
    ///
    /// # Errors
    /// If the note is this wallet's but its amount does not decrypt.
    pub fn receive(&mut self, note: Note) -> Result<bool, ProveError> {
        if note.owner != self.address || self.holds(&note.id) {
            return Ok(false);
        }
        self.notes.push(OwnedNote::decrypt(note, &self.view)?);
        Ok(true)
    }

    /// Whether the wallet holds note `id`.
    pub fn holds(&self, id: &NoteId) -> bool {
        self.notes.iter().any(|n| n.note.id == *id)
    }

    /// Forgets note `id` (spent); returns it if it was held.
    pub fn forget(&mut self, id: &NoteId) -> Option<OwnedNote> {
        let i = self.notes.iter().position(|n| n.note.id == *id)?;
        Some(self.notes.remove(i))
    }

    /// The sum of the held notes of `asset`.
    pub fn balance(&self, asset: &str) -> u128 {
        self.notes
            .iter()
            .filter(|n| n.note.asset == asset)
            .map(|n| u128::from(n.value))
            .sum()
    }

    /// Notes of `asset` covering `needed`, largest first, at most `max` of them.
    ///
    /// # Errors
    /// [`ProveError::InsufficientFunds`] if the largest `max` notes do not cover it.
    pub fn select(
        &self,
        asset: &str,
        needed: u128,
        max: usize,
    ) -> Result<Vec<OwnedNote>, ProveError> {
        let mut mine: Vec<&OwnedNote> = self
            .notes
            .iter()
            .filter(|n| n.note.asset == asset)
            .collect();
        mine.sort_by(|a, b| b.value.cmp(&a.value).then(a.note.id.cmp(&b.note.id)));
        let mut chosen = Vec::new();
        let mut total = 0u128;
        for n in mine.into_iter().take(max) {
            if total >= needed && !chosen.is_empty() {
                break;
            }
            total += u128::from(n.value);
            chosen.push(n.clone());
        }
        if total < needed || chosen.is_empty() {
            return Err(ProveError::InsufficientFunds {
                available: total,
                needed,
            });
        }
        Ok(chosen)
    }
}

/// A Transfer from the wallet's notes: an optional remittance first (output 0), then the
/// payments, then change to the sender if any.
#[derive(Debug)]
pub struct TransferRequest<'k> {
    /// The asset spent and paid.
    pub asset: String,
    /// The notes spent (the wallet's).
    pub inputs: Vec<OwnedNote>,
    /// Payments to registered addresses.
    pub payments: Vec<Payment>,
    /// The public fee.
    pub fee: u64,
    /// A remittance at an operator's quote.
    pub remittance: Option<RemittanceRequest>,
    /// The customer's KYC credential (institutions give none).
    pub kyc: Option<KycCredential<'k>>,
}

/// A Payout of a remittance note: from the operator's settlement and float wallets.
#[derive(Debug)]
pub struct PayoutRequest {
    /// The operator.
    pub operator: String,
    /// The remittance note (held by the settlement wallet).
    pub remittance: OwnedNote,
    /// Float notes in the quote's target asset (held by the float wallet).
    pub floats: Vec<OwnedNote>,
    /// The beneficiary the remittance committed to.
    pub beneficiary: Address,
    /// The salt of that commitment.
    pub salt: [u8; 32],
}

/// A Burn of the wallet's notes back to the issuer.
#[derive(Debug)]
pub struct BurnRequest<'k> {
    /// The asset burned.
    pub asset: String,
    /// The notes spent.
    pub inputs: Vec<OwnedNote>,
    /// The public amount returned to the issuer.
    pub burn_amount: u64,
    /// The public fee.
    pub fee: u64,
    /// The customer's KYC credential (a treasury gives none).
    pub kyc: Option<KycCredential<'k>>,
}

/// A RegisterAddress of the wallet's address.
#[derive(Debug)]
pub struct RegistrationRequest<'k> {
    /// The credential the address registers with (its `link` is stored).
    pub kyc: KycCredential<'k>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use corridor_core::elgamal::{encrypt, HintContext};
    use corridor_core::tx::TxId;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn note(owner: &Address, asset: &str, value: u64, index: u32, rng: &mut ChaCha20Rng) -> Note {
        let ctx = HintContext {
            asset,
            output_index: index,
        };
        let (amount, _) = encrypt(value, &[*owner.view_key()], ctx, rng).unwrap();
        let tx_id = TxId([7; 32]);
        Note {
            id: NoteId::derive(&tx_id, index),
            tx_id,
            output_index: index,
            asset: asset.into(),
            owner: *owner,
            amount,
            remittance: None,
        }
    }

    #[test]
    fn a_view_key_of_another_address_is_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let (a, b) = (WalletKeys::random(&mut rng), WalletKeys::random(&mut rng));
        assert!(ViewWallet::new(a.address(), a.view.clone()).is_ok());
        assert!(matches!(
            ViewWallet::new(a.address(), b.view.clone()),
            Err(ProveError::ViewKeyMismatch)
        ));
    }

    #[test]
    fn receives_only_its_own_notes_once_and_selects_enough() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let (me, other) = (WalletKeys::random(&mut rng), WalletKeys::random(&mut rng));
        let mut wallet = ViewWallet::of(&me);
        let mine: Vec<Note> = [(300, 0), (500, 1), (200, 2)]
            .iter()
            .map(|&(v, i)| note(&me.address(), "HKD", v, i, &mut rng))
            .collect();
        for n in &mine {
            assert!(wallet.receive(n.clone()).unwrap());
        }
        assert!(!wallet.receive(mine[0].clone()).unwrap(), "held already");
        let theirs = note(&other.address(), "HKD", 900, 3, &mut rng);
        assert!(!wallet.receive(theirs).unwrap(), "another owner's note");
        assert!(wallet
            .receive(note(&me.address(), "PHP", 40, 4, &mut rng))
            .unwrap());
        assert_eq!(wallet.balance("HKD"), 1_000);
        assert_eq!(wallet.balance("PHP"), 40);

        let chosen = wallet.select("HKD", 600, 16).unwrap();
        assert_eq!(
            chosen.iter().map(|n| n.value).collect::<Vec<_>>(),
            [500, 300]
        );
        assert!(matches!(
            wallet.select("HKD", 900, 2),
            Err(ProveError::InsufficientFunds {
                available: 800,
                needed: 900
            })
        ));
        assert!(wallet.forget(&mine[1].id).is_some());
        assert_eq!(wallet.balance("HKD"), 500);
        assert!(!wallet.holds(&mine[1].id));
    }
}
