//! Who proves a client's transactions: its operator's prover service (the wallet sends its
//! view key and, for a customer, its credential — never its spend key) or the library, locally,
//! against the node's state.
use super::{ClientError, Ledger};
use corridor_circuits::tree::MembershipWitness;
use corridor_circuits::Credential;
use corridor_core::address::Address;
use corridor_core::elgamal::AmountOpening;
use corridor_core::genesis::Genesis;
use corridor_core::tx::UnsignedTransaction;
use corridor_params::ProvingKey;
use corridor_prover::builder::{OwnedNote, Payment, RemittanceRequest};
use corridor_prover::service::convert::{credential_message, opening, view_wallet_message};
use corridor_prover::service::prover_api as api;
use corridor_prover::{
    Builder, BurnRequest, KycCredential, PayoutRequest, RegistrationRequest, TransferRequest,
    ViewWallet,
};
use std::sync::Arc;
use std::time::Instant;
use tonic::transport::Channel;
use zeroize::Zeroizing;

const PROVER: &str = "prover";

/// A customer's credential with its Merkle path under a root the node has published.
pub(crate) type Membership = (Credential, MembershipWitness);

/// A proven, unsigned transaction.
#[derive(Debug)]
pub struct Proven {
    /// Ready to sign.
    pub tx: UnsignedTransaction,
    /// One opening per output, in output order (receipts, sender disclosures).
    pub openings: Vec<AmountOpening>,
    /// Seconds the prover spent proving.
    pub prove_seconds: f64,
}

/// A prover service and the bearer token to call it with.
#[derive(Clone)]
pub struct ProverEndpoint {
    client: api::prover_client::ProverClient<Channel>,
    token: Option<Arc<Zeroizing<String>>>,
}

impl std::fmt::Debug for ProverEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProverEndpoint")
            .field("token", &self.token.as_ref().map(|_| "<secret>"))
            .finish_non_exhaustive()
    }
}

impl ProverEndpoint {
    /// Connects to the prover service at `endpoint`, calling it with `token` if given.
    pub async fn connect(
        endpoint: &str,
        token: Option<Zeroizing<String>>,
    ) -> Result<Self, ClientError> {
        let channel = super::channel(PROVER, endpoint).await?;
        Ok(ProverEndpoint {
            client: api::prover_client::ProverClient::new(channel),
            token: token.map(Arc::new),
        })
    }

    fn request<T>(&self, message: T) -> Result<tonic::Request<T>, ClientError> {
        super::authorized(PROVER, message, self.token.as_deref())
    }

    /// The service's network, parameter hashes and MSM backend.
    pub async fn info(&self) -> Result<api::GetInfoResponse, ClientError> {
        let request = self.request(api::GetInfoRequest {})?;
        Ok(self
            .client
            .clone()
            .get_info(request)
            .await
            .map_err(ClientError::of(PROVER, "GetInfo"))?
            .into_inner())
    }
}

/// How a client proves.
#[derive(Clone, Debug)]
pub enum Proving {
    /// Through its operator's prover service.
    Service(ProverEndpoint),
    /// With the library, on this machine's blocking threads.
    Local {
        /// The network.
        genesis: Arc<Genesis>,
        /// The KYC circuit's proving key (loaded once per process).
        proving_key: &'static ProvingKey,
    },
}

/// What a transfer spends and pays (the wallet picked the inputs).
#[derive(Clone, Debug)]
pub(crate) struct TransferSpec {
    pub asset: String,
    pub inputs: Vec<OwnedNote>,
    pub payments: Vec<Payment>,
    pub fee: u64,
    pub remittance: Option<RemittanceRequest>,
}

fn proven(r: api::ProveResponse, rpc: &'static str) -> Result<Proven, ClientError> {
    let tx =
        UnsignedTransaction::decode(&r.unsigned_tx).map_err(ClientError::answer(PROVER, rpc))?;
    let openings = r
        .openings
        .iter()
        .enumerate()
        .map(|(i, o)| opening(o, &format!("openings[{i}]")))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ClientError::Answer {
            service: PROVER,
            rpc,
            source: corridor_core::DecodeError::invalid(e.field.clone(), e.reason.clone()),
        })?;
    Ok(Proven {
        tx,
        openings,
        prove_seconds: r.prove_seconds,
    })
}

fn ids(notes: &[OwnedNote]) -> Vec<Vec<u8>> {
    notes.iter().map(|n| n.note.id.0.to_vec()).collect()
}

/// The credential the library proves with: `membership` under `proving_key`.
fn with_key(
    (credential, membership): Membership,
    proving_key: &'static ProvingKey,
) -> KycCredential<'static> {
    KycCredential {
        proving_key,
        credential,
        membership,
    }
}

fn kyc_message(kyc: Option<&Membership>) -> Option<api::KycCredential> {
    kyc.map(|(c, w)| credential_message(c, w))
}

impl Proving {
    /// Runs `build` with a builder over the node's state for its next block, on a blocking
    /// thread.
    async fn local<F>(
        ledger: &Ledger,
        genesis: &Arc<Genesis>,
        build: F,
    ) -> Result<Proven, ClientError>
    where
        F: FnOnce(&Builder<'_>) -> Result<corridor_prover::BuiltTransaction, ClientError>
            + Send
            + 'static,
    {
        let genesis = Arc::clone(genesis);
        ledger
            .read(move |state| {
                let block = state.block_context()?;
                let start = Instant::now();
                let built = build(&Builder::new(&genesis, state, block))?;
                Ok(Proven {
                    tx: built.tx,
                    openings: built.openings,
                    prove_seconds: start.elapsed().as_secs_f64(),
                })
            })
            .await
    }

    /// Proves a transfer from `wallet`.
    pub(crate) async fn transfer(
        &self,
        ledger: &Ledger,
        wallet: &ViewWallet,
        spec: TransferSpec,
        kyc: Option<Membership>,
    ) -> Result<Proven, ClientError> {
        match self {
            Proving::Service(p) => {
                let request = p.request(api::ProveTransferRequest {
                    wallet: Some(view_wallet_message(wallet)),
                    asset: spec.asset,
                    input_note_ids: ids(&spec.inputs),
                    payments: spec
                        .payments
                        .iter()
                        .map(|p| api::Payment {
                            to_address: p.to.encode(),
                            value: p.value,
                        })
                        .collect(),
                    fee: spec.fee,
                    remittance: spec.remittance.map(|r| api::Remittance {
                        operator: r.operator,
                        quote_id: r.quote_id,
                        beneficiary_address: r.beneficiary.encode(),
                        salt: r.salt.to_vec(),
                        value: r.value,
                    }),
                    kyc: kyc_message(kyc.as_ref()),
                })?;
                let r = p.client.clone().prove_transfer(request).await;
                proven(
                    r.map_err(ClientError::of(PROVER, "ProveTransfer"))?
                        .into_inner(),
                    "ProveTransfer",
                )
            }
            Proving::Local {
                genesis,
                proving_key,
            } => {
                let proving_key: &'static ProvingKey = proving_key;
                let wallet = wallet.clone();
                Self::local(ledger, genesis, move |b| {
                    let request = TransferRequest {
                        asset: spec.asset,
                        inputs: spec.inputs,
                        payments: spec.payments,
                        fee: spec.fee,
                        remittance: spec.remittance,
                        kyc: kyc.map(|m| with_key(m, proving_key)),
                    };
                    Ok(b.transfer(&wallet, &request, &mut rand::rngs::OsRng)?)
                })
                .await
            }
        }
    }

    /// Proves a burn of `amount` from `inputs` of `wallet`.
    pub(crate) async fn burn(
        &self,
        ledger: &Ledger,
        wallet: &ViewWallet,
        asset: String,
        inputs: Vec<OwnedNote>,
        (amount, fee): (u64, u64),
        kyc: Option<Membership>,
    ) -> Result<Proven, ClientError> {
        match self {
            Proving::Service(p) => {
                let request = p.request(api::ProveBurnRequest {
                    wallet: Some(view_wallet_message(wallet)),
                    asset,
                    input_note_ids: ids(&inputs),
                    burn_amount: amount,
                    fee,
                    kyc: kyc_message(kyc.as_ref()),
                })?;
                let r = p.client.clone().prove_burn(request).await;
                proven(
                    r.map_err(ClientError::of(PROVER, "ProveBurn"))?
                        .into_inner(),
                    "ProveBurn",
                )
            }
            Proving::Local {
                genesis,
                proving_key,
            } => {
                let proving_key: &'static ProvingKey = proving_key;
                let wallet = wallet.clone();
                Self::local(ledger, genesis, move |b| {
                    let request = BurnRequest {
                        asset,
                        inputs,
                        burn_amount: amount,
                        fee,
                        kyc: kyc.map(|m| with_key(m, proving_key)),
                    };
                    Ok(b.burn(&wallet, &request, &mut rand::rngs::OsRng)?)
                })
                .await
            }
        }
    }

    /// Proves the registration of `wallet`'s address with `kyc`.
    pub(crate) async fn register(
        &self,
        ledger: &Ledger,
        wallet: &ViewWallet,
        kyc: Membership,
    ) -> Result<Proven, ClientError> {
        match self {
            Proving::Service(p) => {
                let request = p.request(api::ProveRegistrationRequest {
                    wallet: Some(view_wallet_message(wallet)),
                    kyc: kyc_message(Some(&kyc)),
                })?;
                let r = p.client.clone().prove_registration(request).await;
                proven(
                    r.map_err(ClientError::of(PROVER, "ProveRegistration"))?
                        .into_inner(),
                    "ProveRegistration",
                )
            }
            Proving::Local {
                genesis,
                proving_key,
            } => {
                let proving_key: &'static ProvingKey = proving_key;
                let wallet = wallet.clone();
                Self::local(ledger, genesis, move |b| {
                    let request = RegistrationRequest {
                        kyc: with_key(kyc, proving_key),
                    };
                    let tx = b.register_address(&wallet, &request, &mut rand::rngs::OsRng)?;
                    Ok(corridor_prover::BuiltTransaction {
                        tx,
                        openings: Vec::new(),
                    })
                })
                .await
            }
        }
    }

    /// Proves an operator's payout of `remittance` (held by `settlement`) from `floats` (held
    /// by `float`) to `beneficiary`.
    pub(crate) async fn payout(
        &self,
        ledger: &Ledger,
        (settlement, float): (&ViewWallet, &ViewWallet),
        operator: &str,
        (remittance, floats): (OwnedNote, Vec<OwnedNote>),
        (beneficiary, salt): (Address, [u8; 32]),
    ) -> Result<Proven, ClientError> {
        match self {
            Proving::Service(p) => {
                let request = p.request(api::ProvePayoutRequest {
                    settlement: Some(view_wallet_message(settlement)),
                    float: Some(view_wallet_message(float)),
                    operator: operator.to_string(),
                    remittance_note_id: remittance.note.id.0.to_vec(),
                    float_note_ids: ids(&floats),
                    beneficiary_address: beneficiary.encode(),
                    salt: salt.to_vec(),
                })?;
                let r = p.client.clone().prove_payout(request).await;
                proven(
                    r.map_err(ClientError::of(PROVER, "ProvePayout"))?
                        .into_inner(),
                    "ProvePayout",
                )
            }
            Proving::Local { genesis, .. } => {
                let (settlement, float) = (settlement.clone(), float.clone());
                let request = PayoutRequest {
                    operator: operator.to_string(),
                    remittance,
                    floats,
                    beneficiary,
                    salt,
                };
                Self::local(ledger, genesis, move |b| {
                    Ok(b.payout(&settlement, &float, &request, &mut rand::rngs::OsRng)?)
                })
                .await
            }
        }
    }
}
