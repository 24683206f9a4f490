//! Institutions over the services: an asset issuer's mints ([`Issuer`]) and a wallet
//! operator's quotes and payout watcher ([`Operator`]).
use super::{ClientError, Committed, Ledger, NoteBook, Proving, Receipt};
use corridor_core::address::Address;
use corridor_core::genesis::Genesis;
use corridor_core::instruction;
use corridor_core::keys::SpendKey;
use corridor_core::tx::{NoteId, PublishQuote, Transaction, TxBody, TxId};
use corridor_prover::builder::OwnedNote;
use corridor_prover::{Builder, ViewWallet};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;
use tokio_stream::StreamExt;

/// An asset issuer: mints into its treasury (Mint, public amounts, signed by the issuer key).
#[derive(Clone, Debug)]
pub struct Issuer {
    asset: String,
    key: SpendKey,
    genesis: Arc<Genesis>,
    ledger: Ledger,
}

impl Issuer {
    /// The issuer of `asset`, signing with `key`.
    pub fn new(asset: &str, key: SpendKey, genesis: Arc<Genesis>, ledger: Ledger) -> Self {
        Issuer {
            asset: asset.to_string(),
            key,
            genesis,
            ledger,
        }
    }

    /// Mints `amounts` (one note each) into the treasury with the next nonce.
    pub async fn mint(&self, amounts: &[u64]) -> Result<Receipt, ClientError> {
        let start = Instant::now();
        let nonce = self
            .ledger
            .mint_nonce(&self.asset)
            .await?
            .map_or(0, |n| n + 1);
        let (genesis, asset, amounts) = (
            Arc::clone(&self.genesis),
            self.asset.clone(),
            amounts.to_vec(),
        );
        let built = self
            .ledger
            .read(move |state| {
                let block = state.block_context()?;
                Ok(Builder::new(&genesis, state, block).mint(
                    &asset,
                    nonce,
                    &amounts,
                    &mut rand::rngs::OsRng,
                )?)
            })
            .await?;
        let prove_seconds = start.elapsed().as_secs_f64();
        let committed = self
            .ledger
            .submit_and_wait(&built.tx.sign(&self.key))
            .await?;
        Ok(Receipt {
            tx_id: committed.tx_id,
            height: committed.height,
            openings: built.openings,
            prove_seconds,
            elapsed: start.elapsed(),
        })
    }
}

/// A quote to publish: 1 `assets.0` = `rate.0 / rate.1` `assets.1`, usable for `blocks`
/// blocks after the block that publishes it.
#[derive(Clone, Copy, Debug)]
pub struct Quote<'a> {
    /// The operator's name in genesis.
    pub operator: &'a str,
    /// Its id (unique per operator).
    pub quote_id: u64,
    /// Source and target asset.
    pub assets: (&'a str, &'a str),
    /// Numerator and denominator.
    pub rate: (u32, u32),
    /// Blocks it stays usable.
    pub blocks: u64,
}

/// Publishes `quote`, signed with the operator's `key` (PublishQuote proves nothing: no prover
/// is involved).
pub async fn publish_quote(
    ledger: &Ledger,
    genesis: &Arc<Genesis>,
    key: &SpendKey,
    quote: Quote<'_>,
) -> Result<Committed, ClientError> {
    let genesis = Arc::clone(genesis);
    let body = PublishQuote {
        operator: quote.operator.to_string(),
        quote_id: quote.quote_id,
        asset_from: quote.assets.0.to_string(),
        asset_to: quote.assets.1.to_string(),
        num: quote.rate.0,
        den: quote.rate.1,
        expiry_height: 0,
    };
    let blocks = quote.blocks;
    let unsigned = ledger
        .read(move |state| {
            let block = state.block_context()?;
            let body = PublishQuote {
                expiry_height: block.height + blocks,
                ..body
            };
            Ok(Builder::new(&genesis, state, block).publish_quote(body)?)
        })
        .await?;
    ledger.submit_and_wait(&unsigned.sign(key)).await
}

/// What the payout watcher did about one remittance.
#[derive(Clone, Debug)]
pub struct PayoutEvent {
    /// The remittance Transfer.
    pub remittance: TxId,
    /// Its block.
    pub height: u64,
    /// What happened.
    pub outcome: PayoutOutcome,
}

/// A remittance paid out.
#[derive(Clone, Debug)]
pub struct PaidOut {
    /// The committed Payout.
    pub payout: Receipt,
    /// The beneficiary.
    pub beneficiary: Address,
    /// The value received, in the quote's source asset.
    pub received: u64,
    /// The value paid, in its target asset.
    pub paid: u64,
    /// That asset.
    pub asset: String,
}

/// How a remittance ended.
#[derive(Clone, Debug)]
pub enum PayoutOutcome {
    /// Paid out: the payout, who got what.
    Paid(Box<PaidOut>),
    /// Paid already (its note is spent): a watcher that restarted passes it.
    AlreadyPaid,
    /// Not paid: why (the watcher goes on with the next one).
    Failed(String),
}

/// A wallet operator: its quotes, and the payouts of the remittances sent to it.
#[derive(Debug)]
pub struct Operator {
    name: String,
    key: SpendKey,
    settlement: ViewWallet,
    float: NoteBook,
    genesis: Arc<Genesis>,
    ledger: Ledger,
    proving: Proving,
}

impl Operator {
    /// Operator `name` of genesis signing with `key`; it reads its settlement notes with
    /// `settlement` and pays from the notes of `float`.
    pub fn new(
        name: &str,
        key: SpendKey,
        (settlement, float): (ViewWallet, ViewWallet),
        genesis: Arc<Genesis>,
        ledger: Ledger,
        proving: Proving,
    ) -> Self {
        Operator {
            name: name.to_string(),
            key,
            settlement,
            float: NoteBook::new(float),
            genesis,
            ledger,
            proving,
        }
    }

    /// Its float's notes (caught up by each payout).
    pub fn float(&self) -> &NoteBook {
        &self.float
    }

    /// Publishes quote `quote_id` (see [`publish_quote`]).
    pub async fn publish_quote(
        &self,
        quote_id: u64,
        assets: (&str, &str),
        rate: (u32, u32),
        blocks: u64,
    ) -> Result<Committed, ClientError> {
        let q = Quote {
            operator: &self.name,
            quote_id,
            assets,
            rate,
            blocks,
        };
        publish_quote(&self.ledger, &self.genesis, &self.key, q).await
    }

    /// Follows the node's blocks from `from` and pays out every remittance to this operator
    /// as its block commits, one at a time, reporting each on `events`. Returns when `events`
    /// is closed or the node ends the stream; a remittance that cannot be paid is reported and
    /// passed.
    pub async fn watch_payouts(
        &mut self,
        from: u64,
        events: mpsc::UnboundedSender<PayoutEvent>,
    ) -> Result<(), ClientError> {
        let mut blocks = self.ledger.blocks(from).await?;
        while let Some(block) = blocks.next().await {
            let block = block.map_err(ClientError::of("node", "StreamBlocks"))?;
            for id in &block.tx_ids {
                let Ok(id) = <[u8; 32]>::try_from(id.as_slice()).map(TxId) else {
                    return Err(ClientError::Answer {
                        service: "node",
                        rpc: "StreamBlocks",
                        source: corridor_core::DecodeError::invalid("tx_ids", "not 32 bytes"),
                    });
                };
                let (tx, height) = self.ledger.transaction(&id).await?;
                if !self.is_remittance_to_me(&tx) {
                    continue;
                }
                let outcome = match self.pay(&tx).await {
                    Ok(o) => o,
                    Err(e) => PayoutOutcome::Failed(e.to_string()),
                };
                let event = PayoutEvent {
                    remittance: id,
                    height,
                    outcome,
                };
                if events.send(event).is_err() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    fn is_remittance_to_me(&self, tx: &Transaction) -> bool {
        matches!(tx.body(), TxBody::Transfer(t)
            if t.remittance.as_ref().is_some_and(|r| r.operator == self.name))
    }

    /// Pays out remittance `tx` (output 0 to the settlement address, instruction boxed to its
    /// view key) at its quote from the float.
    async fn pay(&mut self, tx: &Transaction) -> Result<PayoutOutcome, ClientError> {
        let start = Instant::now();
        let tx_id = tx.id();
        let TxBody::Transfer(t) = tx.body() else {
            return Err(ClientError::Missing("not a transfer".into()));
        };
        let rem = t
            .remittance
            .as_ref()
            .ok_or_else(|| ClientError::Missing("not a remittance".into()))?;
        let record = self
            .ledger
            .note(NoteId::derive(&tx_id, 0))
            .await?
            .ok_or_else(|| ClientError::Missing(format!("remittance {tx_id}: no output 0")))?;
        if record.spent_height.is_some() {
            return Ok(PayoutOutcome::AlreadyPaid);
        }
        let (beneficiary, salt) = instruction::open(
            &rem.instruction,
            self.settlement.view(),
            &rem.beneficiary_commitment,
        )
        .map_err(|source| ClientError::Instruction { tx_id, source })?;
        let received = OwnedNote::decrypt(record.note, self.settlement.view())?;
        let quote = self
            .ledger
            .quote(&self.name, rem.quote_id)
            .await?
            .ok_or_else(|| {
                ClientError::Missing(format!("{} has no quote {}", self.name, rem.quote_id))
            })?;
        let paid = u64::try_from(
            u128::from(received.value) * u128::from(quote.num) / u128::from(quote.den.max(1)),
        )
        .map_err(|_| ClientError::Missing("the payout overflows".into()))?;
        self.float.sync(&self.ledger).await?;
        let floats = self.float.select(&quote.asset_to, u128::from(paid))?;
        let value = received.value;
        let proven = self
            .proving
            .payout(
                &self.ledger,
                (&self.settlement, self.float.wallet()),
                &self.name,
                (received, floats.clone()),
                (beneficiary, salt),
            )
            .await?;
        let committed = self
            .ledger
            .submit_and_wait(&proven.tx.sign(&self.key))
            .await?;
        self.float.spent(&floats);
        Ok(PayoutOutcome::Paid(Box::new(PaidOut {
            payout: Receipt {
                tx_id: committed.tx_id,
                height: committed.height,
                openings: proven.openings,
                prove_seconds: proven.prove_seconds,
                elapsed: start.elapsed(),
            },
            beneficiary,
            received: value,
            paid,
            asset: quote.asset_to,
        })))
    }
}
