//! The typed ledger over [`Kv`] tables: record encodings, reads through an optional block
//! overlay ([`View`]), and the writes a block makes ([`BlockWriter`]), hashed into the app hash.
//!
//! Encodings are fixed-layout bytes (big-endian integers so that keys sort by number); a record
//! that does not decode is a [`Corrupt`] store error naming its table, never a panic.
use crate::kv::{Kv, Table, WriteBatch};
use corridor_core::address::Address;
use corridor_core::domain;
use corridor_core::group::Point;
use corridor_core::hash::Hasher;
use corridor_core::note::{Note, RemittanceTag};
use corridor_core::proto;
use corridor_core::state::{PublicState, Registration, RootHead, RootStanding, StoreError};
use corridor_core::tx::{FieldBytes, NoteId, Output, PublishQuote, Transaction, TxBody, TxId};
use prost::Message;

/// A stored record that does not decode: the database was written by something else or is
/// damaged.
#[derive(Debug, thiserror::Error)]
#[error("corrupt record in table {table}: {what}")]
pub struct Corrupt {
    /// The table.
    pub table: &'static str,
    /// What did not decode.
    pub what: &'static str,
}

fn corrupt(table: Table, what: &'static str) -> StoreError {
    StoreError::new(Corrupt {
        table: table.name(),
        what,
    })
}

/// A little cursor over a record's bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    table: Table,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], table: Table) -> Self {
        Self { bytes, table }
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], StoreError> {
        if self.bytes.len() < n {
            return Err(corrupt(self.table, what));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], StoreError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    fn u64(&mut self, what: &'static str) -> Result<u64, StoreError> {
        Ok(u64::from_be_bytes(self.array(what)?))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, StoreError> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    fn string(&mut self, what: &'static str) -> Result<String, StoreError> {
        let len = self.u32(what)? as usize;
        let bytes = self.take(len, what)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| corrupt(self.table, what))
    }

    fn rest(self) -> &'a [u8] {
        self.bytes
    }

    fn end(self, what: &'static str) -> Result<(), StoreError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(corrupt(self.table, what))
        }
    }
}

fn put_string(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn encode_note(note: &Note, height: u64) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&height.to_be_bytes());
    out.extend_from_slice(note.tx_id.as_bytes());
    out.extend_from_slice(&note.output_index.to_be_bytes());
    put_string(&mut out, &note.asset);
    match &note.remittance {
        Some(tag) => {
            out.push(1);
            put_string(&mut out, &tag.operator);
            out.extend_from_slice(&tag.quote_id.to_be_bytes());
            out.extend_from_slice(&tag.beneficiary_commitment);
        }
        None => out.push(0),
    }
    let output = Output {
        owner: note.owner,
        amount: note.amount.clone(),
    };
    out.extend_from_slice(&output.to_proto().encode_to_vec());
    out
}

/// A stored note and the height that created it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredNote {
    /// The note.
    pub note: Note,
    /// The height of the block that created it.
    pub height: u64,
}

fn decode_note(id: NoteId, bytes: &[u8]) -> Result<StoredNote, StoreError> {
    let t = Table::Notes;
    let mut r = Reader::new(bytes, t);
    let height = r.u64("height")?;
    let tx_id = TxId(r.array("tx id")?);
    let output_index = r.u32("output index")?;
    let asset = r.string("asset")?;
    let remittance = match r.take(1, "remittance flag")?[0] {
        0 => None,
        1 => Some(RemittanceTag {
            operator: r.string("remittance operator")?,
            quote_id: r.u64("remittance quote id")?,
            beneficiary_commitment: r.array("beneficiary commitment")?,
        }),
        _ => return Err(corrupt(t, "remittance flag")),
    };
    let msg = proto::Output::decode(r.rest()).map_err(|_| corrupt(t, "output"))?;
    let output = Output::from_proto(&msg, "note").map_err(|_| corrupt(t, "output"))?;
    Ok(StoredNote {
        note: Note {
            id,
            tx_id,
            output_index,
            asset,
            owner: output.owner,
            amount: output.amount,
            remittance,
        },
        height,
    })
}

fn quote_key(operator: &str, quote_id: u64) -> Vec<u8> {
    let mut k = operator.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(&quote_id.to_be_bytes());
    k
}

fn encode_quote(q: &PublishQuote) -> Vec<u8> {
    let mut out = Vec::new();
    put_string(&mut out, &q.operator);
    out.extend_from_slice(&q.quote_id.to_be_bytes());
    put_string(&mut out, &q.asset_from);
    put_string(&mut out, &q.asset_to);
    out.extend_from_slice(&q.num.to_be_bytes());
    out.extend_from_slice(&q.den.to_be_bytes());
    out.extend_from_slice(&q.expiry_height.to_be_bytes());
    out
}

fn decode_quote(bytes: &[u8]) -> Result<PublishQuote, StoreError> {
    let mut r = Reader::new(bytes, Table::Quotes);
    let q = PublishQuote {
        operator: r.string("operator")?,
        quote_id: r.u64("quote id")?,
        asset_from: r.string("asset from")?,
        asset_to: r.string("asset to")?,
        num: r.u32("num")?,
        den: r.u32("den")?,
        expiry_height: r.u64("expiry height")?,
    };
    r.end("trailing bytes")?;
    Ok(q)
}

fn superseded_key(issuer: u32, root: &FieldBytes) -> Vec<u8> {
    let mut k = issuer.to_be_bytes().to_vec();
    k.extend_from_slice(&root.0);
    k
}

/// A committed transaction's record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxRecord {
    /// Its block.
    pub height: u64,
    /// Its position in the block.
    pub index: u32,
    /// Its wire bytes.
    pub bytes: Vec<u8>,
}

/// A committed block's record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockRecord {
    /// Height.
    pub height: u64,
    /// Block time (UTC seconds).
    pub time: u64,
    /// The app hash after it.
    pub app_hash: [u8; 32],
    /// Its transactions, in order (the ones it applied).
    pub txs: Vec<TxId>,
}

fn encode_block(b: &BlockRecord) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&b.time.to_be_bytes());
    out.extend_from_slice(&b.app_hash);
    out.extend_from_slice(&(b.txs.len() as u32).to_be_bytes());
    for id in &b.txs {
        out.extend_from_slice(id.as_bytes());
    }
    out
}

fn decode_block(height: u64, bytes: &[u8]) -> Result<BlockRecord, StoreError> {
    let mut r = Reader::new(bytes, Table::Blocks);
    let time = r.u64("time")?;
    let app_hash = r.array("app hash")?;
    let n = r.u32("tx count")?;
    let mut txs = Vec::new();
    for _ in 0..n {
        txs.push(TxId(r.array("tx id")?));
    }
    r.end("trailing bytes")?;
    Ok(BlockRecord {
        height,
        time,
        app_hash,
        txs,
    })
}

/// The last committed block: what a restarted node and CometBFT's Info read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Committed {
    /// Height (0 before the first block).
    pub height: u64,
    /// App hash after it (the genesis hash at height 0).
    pub app_hash: [u8; 32],
    /// Its time.
    pub time: u64,
}

const META_HEIGHT: &[u8] = b"height";
const META_APP_HASH: &[u8] = b"app_hash";
const META_TIME: &[u8] = b"time";
const META_GENESIS: &[u8] = b"genesis";

/// Reads of the ledger: committed tables, seen through a block's pending writes if any.
#[derive(Clone, Copy)]
pub struct View<'a> {
    kv: &'a dyn Kv,
    pending: Option<&'a WriteBatch>,
}

impl std::fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "View(pending: {})",
            self.pending.map_or(0, WriteBatch::len)
        )
    }
}

impl<'a> View<'a> {
    /// The committed state alone.
    pub fn committed(kv: &'a dyn Kv) -> Self {
        Self { kv, pending: None }
    }

    /// The committed state with `pending` applied over it.
    pub fn with_pending(kv: &'a dyn Kv, pending: &'a WriteBatch) -> Self {
        Self {
            kv,
            pending: Some(pending),
        }
    }

    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        if let Some(v) = self.pending.and_then(|p| p.get(table, key)) {
            return Ok(Some(v.to_vec()));
        }
        self.kv.get(table, key)
    }

    fn has(&self, table: Table, key: &[u8]) -> Result<bool, StoreError> {
        Ok(self.get(table, key)?.is_some())
    }

    /// The last committed block (`None` before genesis is stored).
    pub fn last_committed(&self) -> Result<Option<Committed>, StoreError> {
        let Some(h) = self.kv.get(Table::Meta, META_HEIGHT)? else {
            return Ok(None);
        };
        let app = self
            .kv
            .get(Table::Meta, META_APP_HASH)?
            .ok_or_else(|| corrupt(Table::Meta, "app hash missing"))?;
        let time = self
            .kv
            .get(Table::Meta, META_TIME)?
            .ok_or_else(|| corrupt(Table::Meta, "time missing"))?;
        Ok(Some(Committed {
            height: Reader::new(&h, Table::Meta).u64("height")?,
            app_hash: Reader::new(&app, Table::Meta).array("app hash")?,
            time: Reader::new(&time, Table::Meta).u64("time")?,
        }))
    }

    /// The genesis hash the store was initialised with.
    pub fn genesis_hash(&self) -> Result<Option<[u8; 32]>, StoreError> {
        self.kv
            .get(Table::Meta, META_GENESIS)?
            .map(|g| Reader::new(&g, Table::Meta).array("genesis hash"))
            .transpose()
    }

    /// A stored note and its height.
    pub fn stored_note(&self, id: &NoteId) -> Result<Option<StoredNote>, StoreError> {
        self.get(Table::Notes, id.as_bytes())?
            .map(|b| decode_note(*id, &b))
            .transpose()
    }

    /// The height a note was spent at.
    pub fn spent_at(&self, id: &NoteId) -> Result<Option<u64>, StoreError> {
        self.get(Table::Spent, id.as_bytes())?
            .map(|b| Reader::new(&b, Table::Spent).u64("height"))
            .transpose()
    }

    /// A committed transaction.
    pub fn tx(&self, id: &TxId) -> Result<Option<TxRecord>, StoreError> {
        self.get(Table::Txs, id.as_bytes())?
            .map(|b| {
                let mut r = Reader::new(&b, Table::Txs);
                Ok(TxRecord {
                    height: r.u64("height")?,
                    index: r.u32("index")?,
                    bytes: r.rest().to_vec(),
                })
            })
            .transpose()
    }

    /// Whether a transaction id was applied.
    pub fn has_tx(&self, id: &TxId) -> Result<bool, StoreError> {
        self.has(Table::Txs, id.as_bytes())
    }

    /// The last mint nonce of `asset`.
    pub fn mint_nonce(&self, asset: &str) -> Result<Option<u64>, StoreError> {
        self.get(Table::MintNonces, asset.as_bytes())?
            .map(|b| Reader::new(&b, Table::MintNonces).u64("nonce"))
            .transpose()
    }

    /// The fees collected in `asset`.
    pub fn fee_pool(&self, asset: &str) -> Result<u128, StoreError> {
        Ok(self
            .get(Table::FeePools, asset.as_bytes())?
            .map(|b| Reader::new(&b, Table::FeePools).array::<16>("fee pool"))
            .transpose()?
            .map_or(0, u128::from_be_bytes))
    }

    /// A committed block.
    pub fn block(&self, height: u64) -> Result<Option<BlockRecord>, StoreError> {
        self.kv
            .get(Table::Blocks, &height.to_be_bytes())?
            .map(|b| decode_block(height, &b))
            .transpose()
    }

    /// The notes `owner` received at heights ≥ `since`, oldest first, at most `limit`, each
    /// with the height it was spent at.
    pub fn notes_of(
        &self,
        owner: &Address,
        since: u64,
        limit: usize,
    ) -> Result<Vec<(StoredNote, Option<u64>)>, StoreError> {
        let prefix = owner.to_bytes();
        let mut start = prefix.to_vec();
        start.extend_from_slice(&since.to_be_bytes());
        let mut end = prefix.to_vec();
        end.extend_from_slice(&[0xff; 9]);
        let mut out = Vec::new();
        for (k, _) in self.kv.scan(Table::OwnerNotes, &start, Some(&end), limit)? {
            let id = NoteId(
                k.get(72..104)
                    .and_then(|s| <[u8; 32]>::try_from(s).ok())
                    .ok_or_else(|| corrupt(Table::OwnerNotes, "key"))?,
            );
            let note = self
                .stored_note(&id)?
                .ok_or_else(|| corrupt(Table::OwnerNotes, "note missing"))?;
            let spent = self.spent_at(&id)?;
            out.push((note, spent));
        }
        Ok(out)
    }

    /// The registration of spend key `x`: its address (the one view key it registered with)
    /// and the `link` its RegisterAddress stored (`None` for an institution of genesis).
    /// `None` if `x` is not registered. What [`PublicState::spend_key_registered`],
    /// [`PublicState::registration_link`] and [`PublicState::is_registered`] answer, in one read.
    pub fn registration(&self, x: &Point) -> Result<Option<Registration>, StoreError> {
        let Some(link) = self.registration_link_record(x)? else {
            return Ok(None);
        };
        let address = self
            .address_of(x)?
            .ok_or_else(|| corrupt(Table::Addresses, "registered spend key without address"))?;
        Ok(Some(Registration { address, link }))
    }

    /// The `link` record of a registered `x`: `Some(None)` for a registration without one.
    fn registration_link_record(
        &self,
        x: &Point,
    ) -> Result<Option<Option<FieldBytes>>, StoreError> {
        match self.get(Table::SpendKeys, &x.to_bytes())? {
            Some(v) if v.is_empty() => Ok(Some(None)),
            Some(v) => Ok(Some(Some(FieldBytes(
                Reader::new(&v, Table::SpendKeys).array("link")?,
            )))),
            None => Ok(None),
        }
    }

    /// The address registered with spend key `x` (an `X` registers once: the first address
    /// whose key starts with `x`), pending writes first.
    fn address_of(&self, x: &Point) -> Result<Option<Address>, StoreError> {
        let prefix = x.to_bytes();
        let pending = self.pending.and_then(|p| {
            p.iter()
                .find(|(t, k, _)| *t == Table::Addresses && k.starts_with(&prefix))
                .map(|(_, k, _)| k.to_vec())
        });
        let key = match pending {
            Some(k) => Some(k),
            None => self
                .kv
                .scan(Table::Addresses, &prefix, None, 1)?
                .into_iter()
                .next()
                .map(|(k, _)| k)
                .filter(|k| k.starts_with(&prefix)),
        };
        key.map(|k| {
            Address::from_bytes(&k, "address").map_err(|_| corrupt(Table::Addresses, "key"))
        })
        .transpose()
    }

    /// The height of the RegisterAddress that used registration nullifier `nullifier`.
    pub fn registration_nullifier_height(
        &self,
        nullifier: &FieldBytes,
    ) -> Result<Option<u64>, StoreError> {
        self.get(Table::Nullifiers, &nullifier.0)?
            .map(|b| Reader::new(&b, Table::Nullifiers).u64("height"))
            .transpose()
    }

    /// An issuer's superseded roots and the heights they were superseded at.
    fn superseded_at(&self, issuer: u32, root: &FieldBytes) -> Result<Option<u64>, StoreError> {
        Ok(self
            .get(Table::KycSuperseded, &superseded_key(issuer, root))?
            .map(|b| Reader::new(&b, Table::KycSuperseded).u64("height"))
            .transpose()?
            .filter(|&h| h != NOT_SUPERSEDED))
    }
}

impl PublicState for View<'_> {
    fn note(&self, id: &NoteId) -> Result<Option<Note>, StoreError> {
        Ok(self.stored_note(id)?.map(|s| s.note))
    }

    fn is_registered(&self, address: &Address) -> Result<bool, StoreError> {
        self.has(Table::Addresses, &address.to_bytes())
    }

    fn quote(&self, operator: &str, quote_id: u64) -> Result<Option<PublishQuote>, StoreError> {
        self.get(Table::Quotes, &quote_key(operator, quote_id))?
            .map(|b| decode_quote(&b))
            .transpose()
    }

    fn spend_key_registered(&self, x: &Point) -> Result<bool, StoreError> {
        self.has(Table::SpendKeys, &x.to_bytes())
    }

    fn registration_link(&self, x: &Point) -> Result<Option<FieldBytes>, StoreError> {
        Ok(self.registration_link_record(x)?.flatten())
    }

    fn registration_nullifier_used(&self, nullifier: &FieldBytes) -> Result<bool, StoreError> {
        self.has(Table::Nullifiers, &nullifier.0)
    }

    fn kyc_root(&self, issuer: u32, root: &FieldBytes) -> Result<Option<RootStanding>, StoreError> {
        if self.kyc_root_head(issuer)?.is_some_and(|h| h.root == *root) {
            return Ok(Some(RootStanding::Current));
        }
        Ok(self
            .superseded_at(issuer, root)?
            .map(RootStanding::SupersededAt))
    }

    fn kyc_root_head(&self, issuer: u32) -> Result<Option<RootHead>, StoreError> {
        self.get(Table::KycHeads, &issuer.to_be_bytes())?
            .map(|b| {
                let mut r = Reader::new(&b, Table::KycHeads);
                let seq = r.u64("seq")?;
                let root = FieldBytes(r.array("root")?);
                r.end("trailing bytes")?;
                Ok(RootHead { seq, root })
            })
            .transpose()
    }
}

/// The writes of one block, built transaction by transaction over the committed state.
#[derive(Clone, Debug, Default)]
pub struct BlockWriter {
    batch: WriteBatch,
    txs: Vec<TxId>,
}

/// A marker in the superseded table: a root published again is current again, so its
/// supersession is erased (the KV store has no deletes: `u64::MAX` means "not superseded").
const NOT_SUPERSEDED: u64 = u64::MAX;

impl BlockWriter {
    /// The pending writes (for a [`View`] over them).
    pub fn pending(&self) -> &WriteBatch {
        &self.batch
    }

    /// The transactions applied so far.
    pub fn txs(&self) -> &[TxId] {
        &self.txs
    }

    /// Writes the state changes of a verified transaction applied at `height`, position
    /// `index`: inputs spent, notes stored, quote, registration, KYC root, mint nonce, fee,
    /// and the transaction itself. `output_assets` gives each output's asset (from its
    /// resolved statement); `kv` is the committed state under this block.
    pub fn apply(
        &mut self,
        kv: &dyn Kv,
        tx: &Transaction,
        bytes: &[u8],
        output_assets: &[String],
        height: u64,
    ) -> Result<(), StoreError> {
        let tx_id = tx.id();
        let index = self.txs.len() as u32;
        let view = View::with_pending(kv, &self.batch);
        // The fee is in the spent asset: the first input's (the rules checked they share it).
        let fee = tx.body().fee();
        let mut fee_put = None;
        if fee > 0 {
            if let Some(first) = tx.body().inputs().first() {
                if let Some(n) = view.stored_note(&first.note_id)? {
                    let pool = view
                        .fee_pool(&n.note.asset)?
                        .saturating_add(u128::from(fee));
                    fee_put = Some((n.note.asset, pool));
                }
            }
        }
        let mut puts: Vec<(Table, Vec<u8>, Vec<u8>)> = Vec::new();
        if let Some((asset, pool)) = fee_put {
            puts.push((
                Table::FeePools,
                asset.into_bytes(),
                pool.to_be_bytes().to_vec(),
            ));
        }
        for input in tx.body().inputs() {
            puts.push((
                Table::Spent,
                input.note_id.as_bytes().to_vec(),
                height.to_be_bytes().to_vec(),
            ));
        }
        for note in Note::created_by(tx, output_assets) {
            let id = note.id;
            puts.push((
                Table::Notes,
                id.as_bytes().to_vec(),
                encode_note(&note, height),
            ));
            let mut k = note.owner.to_bytes().to_vec();
            k.extend_from_slice(&height.to_be_bytes());
            k.extend_from_slice(id.as_bytes());
            puts.push((Table::OwnerNotes, k, Vec::new()));
        }
        match tx.body() {
            TxBody::Mint(m) => puts.push((
                Table::MintNonces,
                m.asset.as_bytes().to_vec(),
                m.nonce.to_be_bytes().to_vec(),
            )),
            TxBody::PublishQuote(q) => puts.push((
                Table::Quotes,
                quote_key(&q.operator, q.quote_id),
                encode_quote(q),
            )),
            TxBody::RegisterAddress(r) => {
                puts.push((Table::Addresses, r.address.to_bytes().to_vec(), Vec::new()));
                puts.push((
                    Table::SpendKeys,
                    r.address.spend_key().to_bytes().to_vec(),
                    r.kyc.link.map_or(Vec::new(), |l| l.0.to_vec()),
                ));
                puts.push((
                    Table::Nullifiers,
                    r.kyc.nullifier.0.to_vec(),
                    height.to_be_bytes().to_vec(),
                ));
            }
            TxBody::KycRootUpdate(u) => {
                if let Some(old) = view.kyc_root_head(u.issuer)? {
                    puts.push((
                        Table::KycSuperseded,
                        superseded_key(u.issuer, &old.root),
                        height.to_be_bytes().to_vec(),
                    ));
                }
                if view.superseded_at(u.issuer, &u.new_root)?.is_some() {
                    puts.push((
                        Table::KycSuperseded,
                        superseded_key(u.issuer, &u.new_root),
                        NOT_SUPERSEDED.to_be_bytes().to_vec(),
                    ));
                }
                let mut head = u.seq.to_be_bytes().to_vec();
                head.extend_from_slice(&u.new_root.0);
                puts.push((Table::KycHeads, u.issuer.to_be_bytes().to_vec(), head));
            }
            _ => {}
        }
        let mut record = height.to_be_bytes().to_vec();
        record.extend_from_slice(&index.to_be_bytes());
        record.extend_from_slice(bytes);
        puts.push((Table::Txs, tx_id.as_bytes().to_vec(), record));
        for (t, k, v) in puts {
            self.batch.put(t, k, v);
        }
        self.txs.push(tx_id);
        Ok(())
    }

    /// Seals the block: the app hash over `previous`, the height, the time and every state
    /// change in canonical order, and the batch to write (the changes, the block record and
    /// the committed meta, all in one atomic write).
    pub fn seal(self, previous: &[u8; 32], height: u64, time: u64) -> SealedBlock {
        let mut h = Hasher::new(domain::APP_HASH)
            .part(previous)
            .part(&height.to_be_bytes())
            .part(&time.to_be_bytes())
            .part(&(self.batch.len() as u64).to_be_bytes());
        for (table, key, value) in self.batch.iter() {
            h = h.part(&[table.tag()]).part(key).part(value);
        }
        let app_hash = h.finish();
        let record = BlockRecord {
            height,
            time,
            app_hash,
            txs: self.txs,
        };
        let mut batch = self.batch;
        batch.put(Table::Blocks, height.to_be_bytes(), encode_block(&record));
        put_meta(&mut batch, height, &app_hash, time);
        SealedBlock { record, batch }
    }
}

fn put_meta(batch: &mut WriteBatch, height: u64, app_hash: &[u8; 32], time: u64) {
    batch.put(Table::Meta, META_HEIGHT, height.to_be_bytes());
    batch.put(Table::Meta, META_APP_HASH, app_hash.to_vec());
    batch.put(Table::Meta, META_TIME, time.to_be_bytes());
}

/// A block ready to commit.
#[derive(Clone, Debug)]
pub struct SealedBlock {
    /// Its record (height, time, app hash, transactions).
    pub record: BlockRecord,
    /// Everything to write, atomically.
    pub batch: WriteBatch,
}

/// The writes that initialise a store for `genesis` (hash `genesis_hash`): the institutional
/// registrations, and height 0 with the genesis hash as its app hash.
pub fn genesis_batch(
    institutional: &[Address],
    genesis_hash: &[u8; 32],
    genesis_time: u64,
) -> WriteBatch {
    let mut batch = WriteBatch::default();
    for a in institutional {
        batch.put(Table::Addresses, a.to_bytes().to_vec(), Vec::new());
        batch.put(
            Table::SpendKeys,
            a.spend_key().to_bytes().to_vec(),
            Vec::new(),
        );
    }
    batch.put(Table::Meta, META_GENESIS, genesis_hash.to_vec());
    put_meta(&mut batch, 0, genesis_hash, genesis_time);
    batch
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::MemoryKv;

    #[test]
    fn quote_round_trip_and_truncation_is_corrupt() {
        let q = PublishQuote {
            operator: "ph-wallet".into(),
            quote_id: 7,
            asset_from: "HKD".into(),
            asset_to: "PHP".into(),
            num: 72345,
            den: 10000,
            expiry_height: 99,
        };
        let b = encode_quote(&q);
        assert_eq!(decode_quote(&b).unwrap(), q);
        for cut in 0..b.len() {
            let e = decode_quote(&b[..cut]).unwrap_err();
            assert!(
                e.to_string().contains("corrupt record in table quotes"),
                "{e}"
            );
        }
        let mut long = b.clone();
        long.push(0);
        assert!(decode_quote(&long).is_err());
    }

    #[test]
    fn a_corrupt_note_record_is_a_store_error() {
        let kv = MemoryKv::default();
        let id = NoteId([3u8; 32]);
        let mut batch = WriteBatch::default();
        batch.put(Table::Notes, id.as_bytes().to_vec(), vec![1, 2, 3]);
        kv.write(&batch).unwrap();
        let e = View::committed(&kv).note(&id).unwrap_err();
        assert!(e.to_string().contains("notes"), "{e}");
    }

    #[test]
    fn a_registration_reads_its_address_and_link_committed_or_pending() {
        use corridor_core::keys::{WalletKeys, WalletSeed};
        let keys = |b: u8| {
            WalletKeys::from_seed(&WalletSeed::from_bytes([b; 32]))
                .unwrap()
                .address()
        };
        let (institution, customer, stranger) = (keys(1), keys(2), keys(3));
        let kv = MemoryKv::default();
        kv.write(&genesis_batch(&[institution], &[0; 32], 0))
            .unwrap();
        let view = View::committed(&kv);
        assert_eq!(
            view.registration(institution.spend_key()).unwrap(),
            Some(Registration {
                address: institution,
                link: None
            })
        );
        assert_eq!(view.registration(customer.spend_key()).unwrap(), None);
        // A registration pending in a block is read through the overlay.
        let link = FieldBytes([4; 32]);
        let mut pending = WriteBatch::default();
        pending.put(Table::Addresses, customer.to_bytes().to_vec(), Vec::new());
        pending.put(
            Table::SpendKeys,
            customer.spend_key().to_bytes().to_vec(),
            link.0.to_vec(),
        );
        let overlay = View::with_pending(&kv, &pending);
        let expected = Some(Registration {
            address: customer,
            link: Some(link),
        });
        assert_eq!(
            overlay.registration(customer.spend_key()).unwrap(),
            expected
        );
        assert_eq!(overlay.registration(stranger.spend_key()).unwrap(), None);
        kv.write(&pending).unwrap();
        assert_eq!(view.registration(customer.spend_key()).unwrap(), expected);
        // A spend key without its address is a corrupt store, not an answer.
        let mut orphan = WriteBatch::default();
        orphan.put(
            Table::SpendKeys,
            stranger.spend_key().to_bytes().to_vec(),
            Vec::new(),
        );
        kv.write(&orphan).unwrap();
        let e = view.registration(stranger.spend_key()).unwrap_err();
        assert!(e.to_string().contains("addresses"), "{e}");
    }

    #[test]
    fn overlay_reads_pending_before_committed() {
        let kv = MemoryKv::default();
        let mut committed = WriteBatch::default();
        committed.put(
            Table::MintNonces,
            b"HKD".to_vec(),
            1u64.to_be_bytes().to_vec(),
        );
        kv.write(&committed).unwrap();
        let mut pending = WriteBatch::default();
        pending.put(
            Table::MintNonces,
            b"HKD".to_vec(),
            2u64.to_be_bytes().to_vec(),
        );
        assert_eq!(View::committed(&kv).mint_nonce("HKD").unwrap(), Some(1));
        assert_eq!(
            View::with_pending(&kv, &pending).mint_nonce("HKD").unwrap(),
            Some(2)
        );
    }
}
