//! The genesis file (TOML) and its one validation boundary, `TryFrom<GenesisFile> for Genesis`.
//!
//! The file holds what DESIGN.md §3.7 lists, every key and hash as lowercase hex, every address
//! as its bech32m string:
//!
//! ```toml
//! network = "corridor-demo"
//! dev = true
//! jurisdictions = ["HK", "PH"]
//! escrow_key = "<32-byte compressed Baby Jubjub point, hex>"
//! root_window = 100
//! registration_mask = 3
//! registration_max_tier = 3
//! vk_hash = "<SHA-256 of the KYC verifying key, hex>"
//! ceremony_hash = "<hash of the ceremony transcript, hex>"
//!
//! [[assets]]
//! code = "HKD"
//! decimals = 2
//! issuer_key = "<hex>"
//! treasury = "crd1…"
//! auditors = ["<hex>", …]
//! limit = 8000000            # optional
//! kyc_mask = 3
//! max_tier = 3
//!
//! [[kyc_issuers]]
//! id = 1
//! key = "<hex>"
//! jurisdictions = ["HK", "PH"]
//!
//! [[operators]]
//! name = "ph-wallet"
//! key = "<hex>"
//! settlement = "crd1…"
//! float = "crd1…"
//! ```
//!
//! Refused, each with its own [`GenesisError`]: malformed TOML or hex, a point that does not
//! decode, the identity as any key (asset issuers, auditors, KYC issuers — schnorrkel accepts
//! any message under the identity key, so an identity issuer key would let anyone publish
//! roots —, operators, and the keys of every institutional address), two KYC issuers with one
//! id, a jurisdiction no list names, an escrow key that is not a Baby Jubjub point of the
//! prime-order subgroup (or is the identity), and whatever [`Genesis::validate`] refuses.
use corridor_circuits::EscrowPublicKey;
use corridor_core::address::Address;
use corridor_core::genesis::{AssetPolicy, Genesis, KycIssuer, Operator};
use corridor_core::group::Point;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a genesis file is refused.
#[derive(Debug, Error)]
pub enum GenesisError {
    /// Not TOML of the expected shape.
    #[error("genesis: {0}")]
    Toml(#[from] toml::de::Error),
    /// A hex field that is not `len` bytes of hex.
    #[error("genesis {field}: not {len} bytes of hex")]
    Hex {
        /// The field.
        field: String,
        /// Its length in bytes.
        len: usize,
    },
    /// A key that does not decode as a canonical Ristretto point.
    #[error("genesis {field}: not a canonical Ristretto point")]
    Point {
        /// The field.
        field: String,
    },
    /// The identity as a key.
    #[error("genesis {field}: the identity is not a key")]
    IdentityKey {
        /// The field.
        field: String,
    },
    /// An address that does not decode.
    #[error("genesis {field}: {reason}")]
    Address {
        /// The field.
        field: String,
        /// Why.
        reason: corridor_core::Error,
    },
    /// Two KYC issuers with one id.
    #[error("genesis: KYC issuer id {id} appears twice")]
    DuplicateIssuer {
        /// The id.
        id: u32,
    },
    /// A jurisdiction code that `jurisdictions` does not list.
    #[error("genesis {field}: unknown jurisdiction {code:?}")]
    UnknownJurisdiction {
        /// Where it appears.
        field: String,
        /// The code.
        code: String,
    },
    /// The same jurisdiction code twice in `jurisdictions`.
    #[error("genesis jurisdictions: {code:?} appears twice")]
    DuplicateJurisdiction {
        /// The code.
        code: String,
    },
    /// The escrow key is not a Baby Jubjub point of the prime-order subgroup.
    #[error("genesis escrow_key: {0}")]
    EscrowKey(corridor_circuits::Error),
    /// The policy is inconsistent (core's checks).
    #[error(transparent)]
    Policy(#[from] corridor_core::Error),
    /// A file could not be read.
    #[error("genesis file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What failed.
        source: std::io::Error,
    },
}

/// One asset, as written in the file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AssetFile {
    /// Code.
    pub code: String,
    /// Display decimals.
    pub decimals: u8,
    /// Issuer key, hex.
    pub issuer_key: String,
    /// Treasury address, bech32m.
    pub treasury: String,
    /// Auditor view keys, hex.
    pub auditors: Vec<String>,
    /// Limit on payments to others per transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// Jurisdiction bits whose customers may hold it.
    pub kyc_mask: u64,
    /// Highest KYC tier.
    pub max_tier: u32,
}

/// One KYC issuer, as written in the file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct KycIssuerFile {
    /// Id.
    pub id: u32,
    /// Root-update signing key, hex.
    pub key: String,
    /// Jurisdiction codes.
    pub jurisdictions: Vec<String>,
}

/// One operator, as written in the file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OperatorFile {
    /// Name.
    pub name: String,
    /// Signing key, hex.
    pub key: String,
    /// Settlement address, bech32m.
    pub settlement: String,
    /// Float address, bech32m.
    pub float: String,
}

/// The genesis file as parsed, before validation.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct GenesisFile {
    /// Network id.
    pub network: String,
    /// Dev network (accepts dev-seed parameters).
    pub dev: bool,
    /// Jurisdiction codes in bit order.
    pub jurisdictions: Vec<String>,
    /// The regulators' escrow key, hex.
    pub escrow_key: String,
    /// Blocks a superseded root stays acceptable.
    pub root_window: u64,
    /// Jurisdiction bits allowed to register.
    pub registration_mask: u64,
    /// Highest tier allowed to register.
    pub registration_max_tier: u32,
    /// SHA-256 of the KYC verifying key, hex.
    pub vk_hash: String,
    /// Ceremony transcript hash, hex.
    pub ceremony_hash: String,
    /// Assets.
    #[serde(default)]
    pub assets: Vec<AssetFile>,
    /// KYC issuers.
    #[serde(default)]
    pub kyc_issuers: Vec<KycIssuerFile>,
    /// Operators.
    #[serde(default)]
    pub operators: Vec<OperatorFile>,
}

impl GenesisFile {
    /// Parses TOML (nothing validated yet: see `Genesis::try_from`).
    ///
    /// # Errors
    /// [`GenesisError::Toml`].
    pub fn parse(text: &str) -> Result<Self, GenesisError> {
        Ok(toml::from_str(text)?)
    }

    /// Reads and validates a genesis file.
    ///
    /// # Errors
    /// [`GenesisError::Io`], or what parsing and validation refuse.
    pub fn load(path: &std::path::Path) -> Result<Genesis, GenesisError> {
        let text = std::fs::read_to_string(path).map_err(|source| GenesisError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Genesis::try_from(Self::parse(&text)?)
    }

    /// The file of a validated genesis (what `corridor node genesis` writes).
    #[must_use]
    pub fn from_genesis(g: &Genesis) -> Self {
        let key = |p: &Point| hex::encode(p.as_bytes());
        GenesisFile {
            network: g.network.clone(),
            dev: g.dev,
            jurisdictions: g.jurisdictions.clone(),
            escrow_key: hex::encode(g.escrow_key),
            root_window: g.root_window,
            registration_mask: g.registration_mask,
            registration_max_tier: g.registration_max_tier,
            vk_hash: hex::encode(g.vk_hash),
            ceremony_hash: hex::encode(g.ceremony_hash),
            assets: g
                .assets
                .iter()
                .map(|a| AssetFile {
                    code: a.code.clone(),
                    decimals: a.decimals,
                    issuer_key: key(&a.issuer_key),
                    treasury: a.treasury.encode(),
                    auditors: a.auditors.iter().map(key).collect(),
                    limit: a.limit,
                    kyc_mask: a.kyc_mask,
                    max_tier: a.max_tier,
                })
                .collect(),
            kyc_issuers: g
                .kyc_issuers
                .iter()
                .map(|i| KycIssuerFile {
                    id: i.id,
                    key: key(&i.key),
                    jurisdictions: i.jurisdictions.clone(),
                })
                .collect(),
            operators: g
                .operators
                .iter()
                .map(|o| OperatorFile {
                    name: o.name.clone(),
                    key: key(&o.key),
                    settlement: o.settlement.encode(),
                    float: o.float.encode(),
                })
                .collect(),
        }
    }

    /// The TOML text.
    ///
    /// # Errors
    /// If serialisation fails (it does not for these types).
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string_pretty(self)
    }
}

fn bytes32(s: &str, field: &str) -> Result<[u8; 32], GenesisError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).map_err(|_| GenesisError::Hex {
        field: field.to_string(),
        len: 32,
    })?;
    Ok(out)
}

/// A key: a canonical Ristretto point that is not the identity.
fn key(s: &str, field: &str) -> Result<Point, GenesisError> {
    let bytes = bytes32(s, field)?;
    let p = Point::decode(&bytes, field).map_err(|_| GenesisError::Point {
        field: field.to_string(),
    })?;
    if p.is_identity() {
        return Err(GenesisError::IdentityKey {
            field: field.to_string(),
        });
    }
    Ok(p)
}

/// An address whose two keys are not the identity (`Address::decode` checks both).
fn address(s: &str, field: &str) -> Result<Address, GenesisError> {
    Address::decode(s).map_err(|reason| GenesisError::Address {
        field: field.to_string(),
        reason,
    })
}

fn jurisdictions_known(
    known: &[String],
    codes: &[String],
    field: &str,
) -> Result<(), GenesisError> {
    match codes.iter().find(|c| !known.contains(c)) {
        Some(code) => Err(GenesisError::UnknownJurisdiction {
            field: field.to_string(),
            code: code.clone(),
        }),
        None => Ok(()),
    }
}

impl TryFrom<GenesisFile> for Genesis {
    type Error = GenesisError;

    fn try_from(f: GenesisFile) -> Result<Self, GenesisError> {
        for (i, code) in f.jurisdictions.iter().enumerate() {
            if f.jurisdictions[..i].contains(code) {
                return Err(GenesisError::DuplicateJurisdiction { code: code.clone() });
            }
        }
        let escrow_key = bytes32(&f.escrow_key, "escrow_key")?;
        let escrow = EscrowPublicKey::from_bytes(&escrow_key).map_err(GenesisError::EscrowKey)?;
        // `from_bytes` refuses the identity as a key too; the canonical bytes are what the
        // verifier hands the circuit.
        let escrow_key = escrow.to_bytes();
        let assets = f
            .assets
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let field = |name: &str| format!("assets[{i}].{name}");
                Ok(AssetPolicy {
                    code: a.code.clone(),
                    decimals: a.decimals,
                    issuer_key: key(&a.issuer_key, &field("issuer_key"))?,
                    treasury: address(&a.treasury, &field("treasury"))?,
                    auditors: a
                        .auditors
                        .iter()
                        .enumerate()
                        .map(|(j, k)| key(k, &field(&format!("auditors[{j}]"))))
                        .collect::<Result<_, _>>()?,
                    limit: a.limit,
                    kyc_mask: a.kyc_mask,
                    max_tier: a.max_tier,
                })
            })
            .collect::<Result<Vec<_>, GenesisError>>()?;
        let mut kyc_issuers: Vec<KycIssuer> = Vec::new();
        for (i, k) in f.kyc_issuers.iter().enumerate() {
            if kyc_issuers.iter().any(|j| j.id == k.id) {
                return Err(GenesisError::DuplicateIssuer { id: k.id });
            }
            jurisdictions_known(
                &f.jurisdictions,
                &k.jurisdictions,
                &format!("kyc_issuers[{i}].jurisdictions"),
            )?;
            kyc_issuers.push(KycIssuer {
                id: k.id,
                key: key(&k.key, &format!("kyc_issuers[{i}].key"))?,
                jurisdictions: k.jurisdictions.clone(),
            });
        }
        let operators = f
            .operators
            .iter()
            .enumerate()
            .map(|(i, o)| {
                Ok(Operator {
                    name: o.name.clone(),
                    key: key(&o.key, &format!("operators[{i}].key"))?,
                    settlement: address(&o.settlement, &format!("operators[{i}].settlement"))?,
                    float: address(&o.float, &format!("operators[{i}].float"))?,
                })
            })
            .collect::<Result<Vec<_>, GenesisError>>()?;
        let genesis = Genesis {
            network: f.network,
            dev: f.dev,
            assets,
            jurisdictions: f.jurisdictions,
            kyc_issuers,
            operators,
            escrow_key,
            root_window: f.root_window,
            registration_mask: f.registration_mask,
            registration_max_tier: f.registration_max_tier,
            vk_hash: bytes32(&f.vk_hash, "vk_hash")?,
            ceremony_hash: bytes32(&f.ceremony_hash, "ceremony_hash")?,
        };
        genesis.validate()?;
        Ok(genesis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use corridor_circuits::EscrowSecretKey;
    use corridor_core::keys::{SpendKey, ViewKey, WalletKeys};
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    /// A valid genesis file with random keys.
    fn sample() -> GenesisFile {
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        let key = |rng: &mut ChaCha20Rng| hex::encode(SpendKey::random(rng).public().to_bytes());
        let view = |rng: &mut ChaCha20Rng| hex::encode(ViewKey::random(rng).public().to_bytes());
        let addr = |rng: &mut ChaCha20Rng| WalletKeys::random(rng).address().encode();
        GenesisFile {
            network: "corridor-test".into(),
            dev: true,
            jurisdictions: vec!["HK".into(), "PH".into()],
            escrow_key: hex::encode(EscrowSecretKey::random(&mut rng).public_key().to_bytes()),
            root_window: 100,
            registration_mask: 3,
            registration_max_tier: 3,
            vk_hash: hex::encode([7u8; 32]),
            ceremony_hash: hex::encode([0u8; 32]),
            assets: vec![AssetFile {
                code: "HKD".into(),
                decimals: 2,
                issuer_key: key(&mut rng),
                treasury: addr(&mut rng),
                auditors: vec![view(&mut rng)],
                limit: Some(8_000_000),
                kyc_mask: 3,
                max_tier: 3,
            }],
            kyc_issuers: vec![KycIssuerFile {
                id: 1,
                key: key(&mut rng),
                jurisdictions: vec!["HK".into()],
            }],
            operators: vec![OperatorFile {
                name: "ph-wallet".into(),
                key: key(&mut rng),
                settlement: addr(&mut rng),
                float: addr(&mut rng),
            }],
        }
    }

    const IDENTITY: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    fn refused(f: GenesisFile) -> GenesisError {
        Genesis::try_from(f).expect_err("a defective genesis was accepted")
    }

    #[test]
    fn round_trips_through_toml() {
        let g = Genesis::try_from(sample()).unwrap();
        let text = GenesisFile::from_genesis(&g).to_toml().unwrap();
        let back = Genesis::try_from(GenesisFile::parse(&text).unwrap()).unwrap();
        assert_eq!(back, g);
    }

    #[test]
    fn identity_keys_are_refused_everywhere() {
        type Edit = fn(&mut GenesisFile);
        let cases: [(&str, Edit); 4] = [
            ("assets[0].issuer_key", |f| {
                f.assets[0].issuer_key = IDENTITY.into()
            }),
            ("assets[0].auditors[0]", |f| {
                f.assets[0].auditors[0] = IDENTITY.into()
            }),
            ("kyc_issuers[0].key", |f| {
                f.kyc_issuers[0].key = IDENTITY.into()
            }),
            ("operators[0].key", |f| f.operators[0].key = IDENTITY.into()),
        ];
        for (name, edit) in cases {
            let mut f = sample();
            edit(&mut f);
            match refused(f) {
                GenesisError::IdentityKey { field } => assert_eq!(field, name),
                other => panic!("{name}: {other}"),
            }
        }
    }

    #[test]
    fn undecodable_keys_and_bad_hex_are_refused() {
        let mut f = sample();
        f.operators[0].key = "ff".repeat(32);
        assert!(matches!(refused(f), GenesisError::Point { field } if field == "operators[0].key"));
        let mut f = sample();
        f.vk_hash = "xyz".into();
        assert!(matches!(refused(f), GenesisError::Hex { field, len: 32 } if field == "vk_hash"));
        let mut f = sample();
        f.assets[0].treasury = "crd1notanaddress".into();
        assert!(
            matches!(refused(f), GenesisError::Address { field, .. } if field == "assets[0].treasury")
        );
    }

    #[test]
    fn duplicate_issuers_and_unknown_jurisdictions_are_refused() {
        let mut f = sample();
        let twin = f.kyc_issuers[0].clone();
        f.kyc_issuers.push(twin);
        assert!(matches!(
            refused(f),
            GenesisError::DuplicateIssuer { id: 1 }
        ));
        let mut f = sample();
        f.kyc_issuers[0].jurisdictions.push("SG".into());
        assert!(matches!(
            refused(f),
            GenesisError::UnknownJurisdiction { code, .. } if code == "SG"
        ));
        let mut f = sample();
        f.jurisdictions.push("HK".into());
        assert!(matches!(
            refused(f),
            GenesisError::DuplicateJurisdiction { code } if code == "HK"
        ));
    }

    #[test]
    fn bad_escrow_keys_are_refused() {
        for bad in [IDENTITY.to_string(), "ff".repeat(32)] {
            let mut f = sample();
            f.escrow_key = bad.clone();
            assert!(
                matches!(refused(f), GenesisError::EscrowKey(_)),
                "escrow key {bad} accepted"
            );
        }
    }

    #[test]
    fn validate_refuses_issuer_defects_built_in_process() {
        let good = Genesis::try_from(sample()).unwrap();
        let mut g = good.clone();
        g.kyc_issuers[0].key = Point::decode(&[0u8; 32], "identity").unwrap();
        assert!(g
            .validate()
            .unwrap_err()
            .to_string()
            .contains("identity key"));
        let mut g = good.clone();
        g.kyc_issuers.push(g.kyc_issuers[0].clone());
        assert!(g.validate().unwrap_err().to_string().contains("twice"));
        let mut g = good;
        g.kyc_issuers[0].jurisdictions.push("SG".into());
        assert!(g
            .validate()
            .unwrap_err()
            .to_string()
            .contains("unknown jurisdiction"));
    }

    #[test]
    fn malformed_toml_is_a_typed_error() {
        assert!(matches!(
            GenesisFile::parse("network = 3"),
            Err(GenesisError::Toml(_))
        ));
        assert!(matches!(
            GenesisFile::parse("this is not toml ]["),
            Err(GenesisError::Toml(_))
        ));
    }
}
