//! [`PublicState`] over a node's gRPC API: every read of the trait is one RPC to
//! `corridor.node.v1.Node`, answered from the node's committed state exactly as the node's own
//! state answers it.
//!
//! | read | RPC |
//! |---|---|
//! | `note` | GetNote |
//! | `quote` | GetQuote |
//! | `is_registered`, `spend_key_registered`, `registration_link` | GetRegistration |
//! | `registration_nullifier_used` | GetRegistrationNullifier |
//! | `kyc_root` | GetKycRootStanding |
//! | `kyc_root_head` | GetKycRoots |
//!
//! NOT_FOUND is the trait's "none" (`Ok(None)`, `Ok(false)`); every other status, and an answer
//! that does not decode or is not about what was asked, is a [`StoreError`] wrapping a
//! [`RemoteStateError`] that names the RPC.
//!
//! Each read sees the state committed when it runs: a block committing between two reads is
//! seen by the later one. Notes, registrations and quotes never change once committed; KYC
//! roots move on, and the node checks a transaction again against its own state at admission.
//!
//! The trait is synchronous and the client is not: each read blocks the calling thread on the
//! RPC with [`Handle::block_on`]. Call it from a blocking thread (`spawn_blocking`, or a thread
//! of one's own), never from an async task: tokio panics when a thread that drives async tasks
//! blocks on one. The runtime must be multi-threaded, so that it drives the channel's I/O while
//! the caller blocks.
use super::node_api as api;
use super::NodeClient;
use corridor_core::address::Address;
use corridor_core::group::{decode_array, Point};
use corridor_core::note::{Note, RemittanceTag};
use corridor_core::state::{
    BlockContext, PublicState, Registration, RootHead, RootStanding, StoreError,
};
use corridor_core::tx::{FieldBytes, NoteId, Output, PublishQuote, TxId};
use corridor_core::DecodeError;
use std::future::Future;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::runtime::Handle;
use tonic::{Code, Response, Status};

/// Why a read through [`RemoteState`] failed.
#[derive(Debug, thiserror::Error)]
pub enum RemoteStateError {
    /// The RPC failed (with any status but NOT_FOUND, which is an answer).
    #[error("node RPC {rpc}: {code:?}: {message}")]
    Rpc {
        /// The RPC, e.g. `GetNote`.
        rpc: &'static str,
        /// Its status code.
        code: Code,
        /// The status message.
        message: String,
    },
    /// The node's answer does not decode, or is not about what was asked.
    #[error("node RPC {rpc}: the answer does not decode: {source}")]
    Answer {
        /// The RPC.
        rpc: &'static str,
        /// What is wrong with it, by field path.
        #[source]
        source: DecodeError,
    },
}

impl RemoteStateError {
    fn status(rpc: &'static str, status: &Status) -> Self {
        RemoteStateError::Rpc {
            rpc,
            code: status.code(),
            message: status.message().to_string(),
        }
    }

    fn answer(rpc: &'static str) -> impl Fn(DecodeError) -> Self {
        move |source| RemoteStateError::Answer { rpc, source }
    }
}

impl From<RemoteStateError> for StoreError {
    fn from(e: RemoteStateError) -> Self {
        StoreError::new(e)
    }
}

/// The committed state of a node, read over its gRPC API (see the module doc: call it from a
/// blocking thread, with a multi-threaded runtime's handle).
#[derive(Clone, Debug)]
pub struct RemoteState {
    client: NodeClient,
    handle: Handle,
}

/// A note a wallet received, as the node lists it.
#[derive(Clone, Debug)]
pub struct ReceivedNote {
    /// The note.
    pub note: Note,
    /// The height of the block that created it.
    pub height: u64,
    /// The height of the block that spent it, if spent.
    pub spent_height: Option<u64>,
}

/// Seconds since the Unix epoch, UTC (0 if the clock is before it).
fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl RemoteState {
    /// Reads through `client` (see [`super::connect`]), blocking on `handle`'s runtime.
    pub fn new(client: NodeClient, handle: Handle) -> Self {
        Self { client, handle }
    }

    /// The client, for the RPCs that are not reads of state (SubmitTx, Status, …).
    pub fn client(&self) -> &NodeClient {
        &self.client
    }

    /// Runs one RPC to completion on the runtime: its answer, `None` for NOT_FOUND.
    fn call<T, F, Fut>(&self, rpc: &'static str, f: F) -> Result<Option<T>, RemoteStateError>
    where
        F: FnOnce(NodeClient) -> Fut,
        Fut: Future<Output = Result<Response<T>, Status>>,
    {
        match self.call_found(rpc, f) {
            Ok(answer) => Ok(Some(answer)),
            Err(RemoteStateError::Rpc {
                code: Code::NotFound,
                ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Runs one RPC that always answers (NOT_FOUND is a failure too), blocking this thread.
    fn call_found<T, F, Fut>(&self, rpc: &'static str, f: F) -> Result<T, RemoteStateError>
    where
        F: FnOnce(NodeClient) -> Fut,
        Fut: Future<Output = Result<Response<T>, Status>>,
    {
        self.handle
            .block_on(f(self.client.clone()))
            .map(Response::into_inner)
            .map_err(|s| RemoteStateError::status(rpc, &s))
    }

    /// The block the node cuts next: the height after its last committed block, at the wall
    /// clock (never before the last block's time), as the embedded node stamps it. What a
    /// [`crate::Builder`] targets.
    pub fn block_context(&self) -> Result<BlockContext, RemoteStateError> {
        const RPC: &str = "Status";
        let status =
            self.call_found(
                RPC,
                |mut c| async move { c.status(api::StatusRequest {}).await },
            )?;
        let height = status.height.checked_add(1).ok_or_else(|| {
            RemoteStateError::answer(RPC)(DecodeError::invalid(
                "status.height",
                "the last height has no successor",
            ))
        })?;
        Ok(BlockContext {
            height,
            time: unix_now().max(status.time),
        })
    }

    /// Every note `owner` received at heights ≥ `since`, oldest first, with the height that
    /// created it and the one that spent it (a wallet catching up: ListNotes, page by page).
    pub fn received_notes(
        &self,
        owner: &Address,
        since: u64,
    ) -> Result<Vec<ReceivedNote>, RemoteStateError> {
        const RPC: &str = "ListNotes";
        const PAGE: u32 = 1_000;
        let mut out: Vec<ReceivedNote> = Vec::new();
        let mut from = since;
        loop {
            let request = api::ListNotesRequest {
                owner_address: owner.encode(),
                owner: Vec::new(),
                since: from,
                limit: PAGE,
            };
            let page = self
                .call_found(RPC, |mut c| async move { c.list_notes(request).await })?
                .notes;
            let full = page.len() == PAGE as usize;
            let mut fresh = 0;
            for record in page {
                let id = NoteId(
                    decode_array(&record.note_id, "notes[].note_id")
                        .map_err(RemoteStateError::answer(RPC))?,
                );
                let (height, spent_height) = (record.height, record.spent_height);
                let note = decode_note(&id, Some(record)).map_err(RemoteStateError::answer(RPC))?;
                if note.owner != *owner {
                    return Err(RemoteStateError::answer(RPC)(DecodeError::invalid(
                        "notes[].output.owner",
                        "a note of another owner",
                    )));
                }
                if out.iter().any(|n| n.note.id == id) {
                    continue;
                }
                from = from.max(height);
                fresh += 1;
                out.push(ReceivedNote {
                    note,
                    height,
                    spent_height,
                });
            }
            // A full page goes on from its last height (notes at that height come again and
            // are skipped); a page with nothing new ends it.
            if !full || fresh == 0 {
                return Ok(out);
            }
        }
    }

    /// A committed note with the height that created it and the one that spent it (GetNote),
    /// `None` if the ledger has none.
    pub fn note_record(&self, id: &NoteId) -> Result<Option<ReceivedNote>, RemoteStateError> {
        const RPC: &str = "GetNote";
        let request = api::GetNoteRequest {
            note_id: id.0.to_vec(),
        };
        let Some(r) = self.call(RPC, |mut c| async move { c.get_note(request).await })? else {
            return Ok(None);
        };
        let (height, spent_height) = r
            .note
            .as_ref()
            .map_or((0, None), |n| (n.height, n.spent_height));
        let note = decode_note(id, r.note).map_err(RemoteStateError::answer(RPC))?;
        Ok(Some(ReceivedNote {
            note,
            height,
            spent_height,
        }))
    }

    /// The registration of spend key `x`: its address and its `link`, `None` if unregistered.
    pub fn registration(&self, x: &Point) -> Result<Option<Registration>, RemoteStateError> {
        const RPC: &str = "GetRegistration";
        let request = api::GetRegistrationRequest {
            spend_key: x.to_bytes().to_vec(),
        };
        let Some(r) = self.call(
            RPC,
            |mut c| async move { c.get_registration(request).await },
        )?
        else {
            return Ok(None);
        };
        decode_registration(x, &r)
            .map(Some)
            .map_err(RemoteStateError::answer(RPC))
    }
}

/// A registration as GetRegistration answers it, for spend key `x`.
fn decode_registration(
    x: &Point,
    r: &api::GetRegistrationResponse,
) -> Result<Registration, DecodeError> {
    let address = Address::from_proto_required(&r.address, "registration.address")?;
    if address.spend_key() != x {
        return Err(DecodeError::invalid(
            "registration.address.spend_key",
            "not the spend key asked",
        ));
    }
    let link = r
        .link
        .as_deref()
        .map(|l| FieldBytes::decode(l, "registration.link"))
        .transpose()?;
    Ok(Registration { address, link })
}

/// A note record as GetNote answers it, for note `id`.
fn decode_note(id: &NoteId, record: Option<api::NoteRecord>) -> Result<Note, DecodeError> {
    let r = record.ok_or_else(|| DecodeError::missing("note"))?;
    let note_id = NoteId(decode_array(&r.note_id, "note.note_id")?);
    let tx_id = TxId(decode_array(&r.tx_id, "note.tx_id")?);
    if note_id != *id || NoteId::derive(&tx_id, r.output_index) != note_id {
        return Err(DecodeError::invalid(
            "note.note_id",
            "not the id asked, or not the id of (tx_id, output_index)",
        ));
    }
    let output = Output::from_proto(
        r.output
            .as_ref()
            .ok_or_else(|| DecodeError::missing("note.output"))?,
        "note.output",
    )?;
    let remittance = r
        .remittance
        .map(|t| {
            Ok::<_, DecodeError>(RemittanceTag {
                beneficiary_commitment: decode_array(
                    &t.beneficiary_commitment,
                    "note.remittance.beneficiary_commitment",
                )?,
                operator: t.operator,
                quote_id: t.quote_id,
            })
        })
        .transpose()?;
    Ok(Note {
        id: note_id,
        tx_id,
        output_index: r.output_index,
        asset: r.asset,
        owner: output.owner,
        amount: output.amount,
        remittance,
    })
}

/// A root's standing as GetKycRootStanding answers it.
fn decode_standing(
    r: &api::GetKycRootStandingResponse,
) -> Result<Option<RootStanding>, DecodeError> {
    let standing = api::KycRootStanding::try_from(r.standing)
        .map_err(|_| DecodeError::invalid("standing", format!("unknown value {}", r.standing)))?;
    match (standing, r.superseded_height) {
        (api::KycRootStanding::Unknown, None) => Ok(None),
        (api::KycRootStanding::Current, None) => Ok(Some(RootStanding::Current)),
        (api::KycRootStanding::Superseded, Some(h)) => Ok(Some(RootStanding::SupersededAt(h))),
        (api::KycRootStanding::Superseded, None) => Err(DecodeError::missing("superseded_height")),
        (_, Some(_)) => Err(DecodeError::invalid(
            "superseded_height",
            "set for a root that is not superseded",
        )),
    }
}

impl PublicState for RemoteState {
    fn note(&self, id: &NoteId) -> Result<Option<Note>, StoreError> {
        Ok(self.note_record(id)?.map(|r| r.note))
    }

    fn is_registered(&self, address: &Address) -> Result<bool, StoreError> {
        // An X registers once, with one view key: `address` is registered iff its X is, with
        // its P.
        Ok(self
            .registration(address.spend_key())?
            .is_some_and(|r| r.address == *address))
    }

    fn quote(&self, operator: &str, quote_id: u64) -> Result<Option<PublishQuote>, StoreError> {
        const RPC: &str = "GetQuote";
        let request = api::GetQuoteRequest {
            operator: operator.to_string(),
            quote_id,
        };
        let Some(r) = self.call(RPC, |mut c| async move { c.get_quote(request).await })? else {
            return Ok(None);
        };
        let decoded = r
            .quote
            .as_ref()
            .ok_or_else(|| DecodeError::missing("quote"))
            .and_then(PublishQuote::try_from)
            .and_then(|q| {
                if q.operator == operator && q.quote_id == quote_id {
                    Ok(q)
                } else {
                    Err(DecodeError::invalid(
                        "quote",
                        "not the (operator, quote_id) asked",
                    ))
                }
            });
        Ok(Some(decoded.map_err(RemoteStateError::answer(RPC))?))
    }

    fn spend_key_registered(&self, x: &Point) -> Result<bool, StoreError> {
        Ok(self.registration(x)?.is_some())
    }

    fn registration_link(&self, x: &Point) -> Result<Option<FieldBytes>, StoreError> {
        Ok(self.registration(x)?.and_then(|r| r.link))
    }

    fn registration_nullifier_used(&self, nullifier: &FieldBytes) -> Result<bool, StoreError> {
        const RPC: &str = "GetRegistrationNullifier";
        let request = api::GetRegistrationNullifierRequest {
            nullifier: nullifier.0.to_vec(),
        };
        let r = self.call_found(RPC, |mut c| async move {
            c.get_registration_nullifier(request).await
        })?;
        if r.nullifier != nullifier.0 {
            return Err(RemoteStateError::answer(RPC)(DecodeError::invalid(
                "nullifier",
                "not the nullifier asked",
            ))
            .into());
        }
        if r.used != r.height.is_some() {
            return Err(RemoteStateError::answer(RPC)(DecodeError::invalid(
                "height",
                "set exactly when the nullifier is used",
            ))
            .into());
        }
        Ok(r.used)
    }

    fn kyc_root(&self, issuer: u32, root: &FieldBytes) -> Result<Option<RootStanding>, StoreError> {
        const RPC: &str = "GetKycRootStanding";
        let request = api::GetKycRootStandingRequest {
            issuer,
            root: root.0.to_vec(),
        };
        let r = self.call_found(RPC, |mut c| async move {
            c.get_kyc_root_standing(request).await
        })?;
        if r.issuer != issuer || r.root != root.0 {
            return Err(RemoteStateError::answer(RPC)(DecodeError::invalid(
                "root",
                "not the (issuer, root) asked",
            ))
            .into());
        }
        Ok(decode_standing(&r).map_err(RemoteStateError::answer(RPC))?)
    }

    fn kyc_root_head(&self, issuer: u32) -> Result<Option<RootHead>, StoreError> {
        const RPC: &str = "GetKycRoots";
        let request = api::GetKycRootsRequest { issuer };
        let Some(r) = self.call(RPC, |mut c| async move { c.get_kyc_roots(request).await })? else {
            return Ok(None);
        };
        if r.issuer != issuer {
            return Err(RemoteStateError::answer(RPC)(DecodeError::invalid(
                "issuer",
                "not the issuer asked",
            ))
            .into());
        }
        let root = FieldBytes::decode(&r.root, "root").map_err(RemoteStateError::answer(RPC))?;
        Ok(Some(RootHead { seq: r.seq, root }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(standing: api::KycRootStanding, h: Option<u64>) -> api::GetKycRootStandingResponse {
        api::GetKycRootStandingResponse {
            issuer: 1,
            root: vec![0; 32],
            standing: standing.into(),
            superseded_height: h,
        }
    }

    #[test]
    fn standings_decode_exactly_and_inconsistent_ones_are_refused() {
        use api::KycRootStanding as S;
        assert_eq!(decode_standing(&standing(S::Unknown, None)), Ok(None));
        assert_eq!(
            decode_standing(&standing(S::Current, None)),
            Ok(Some(RootStanding::Current))
        );
        assert_eq!(
            decode_standing(&standing(S::Superseded, Some(17))),
            Ok(Some(RootStanding::SupersededAt(17)))
        );
        assert!(decode_standing(&standing(S::Superseded, None)).is_err());
        assert!(decode_standing(&standing(S::Current, Some(3))).is_err());
        assert!(decode_standing(&standing(S::Unknown, Some(3))).is_err());
        let mut unknown = standing(S::Current, None);
        unknown.standing = 9;
        let e = decode_standing(&unknown).unwrap_err();
        assert!(e.to_string().contains("standing"), "{e}");
    }

    #[test]
    fn a_note_record_must_be_the_note_asked() {
        let tx_id = TxId([5; 32]);
        let id = NoteId::derive(&tx_id, 1);
        let record = api::NoteRecord {
            note_id: id.0.to_vec(),
            tx_id: tx_id.0.to_vec(),
            output_index: 0,
            ..Default::default()
        };
        // Output 0's id is not output 1's.
        let e = decode_note(&id, Some(record)).unwrap_err();
        assert!(e.to_string().contains("note.note_id"), "{e}");
        assert_eq!(
            decode_note(&id, None).unwrap_err(),
            DecodeError::missing("note")
        );
    }
}
