//! The KYC registry's database: a redb file holding an issuer's credentials in leaf order and
//! the last root update the node admitted. Every change is one redb write transaction
//! (`Durability::Immediate`: durable when it returns; a crash leaves the last one whole).
//!
//! Tables:
//! - `meta`: `format` → `1u32`, `issuer` → the issuer id (u32 LE), `published` → the last
//!   admitted update's `seq` (u64 LE) ‖ root (32 bytes);
//! - `leaves`: leaf index (u64) → [`StoredCredential`]'s 76 bytes: the leaf (32 bytes LE, zero
//!   once revoked) ‖ `id_commit` (32) ‖ jurisdiction ‖ expiry_day ‖ tier (u32 LE each).
//!
//! Opening rebuilds the [`KycRegistry`] from the leaves, checking that indices run 0, 1, 2, …
//! and that each live leaf is the hash of its credential: a file that is not a redb database,
//! of another issuer, or with a damaged record is refused with a typed error.
use ark_bn254::Fr;
use ark_ff::Zero;
use corridor_circuits::{fr_from_bytes, fr_to_bytes, CredentialAttributes, KycRegistry};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::fmt;
use std::path::{Path, PathBuf};

const META: TableDefinition<'static, &'static str, &'static [u8]> = TableDefinition::new("meta");
const LEAVES: TableDefinition<'static, u64, &'static [u8]> = TableDefinition::new("leaves");

/// The file format written in `meta.format`.
pub const FORMAT: u32 = 1;
/// Bytes of one record of the `leaves` table.
pub const RECORD_BYTES: usize = 76;

/// Why the registry's database refused.
#[derive(Debug, thiserror::Error)]
pub enum RegistryStoreError {
    /// The file could not be opened as a redb database.
    #[error("registry database {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// redb's reason.
        source: redb::DatabaseError,
    },
    /// A read or write of the database failed.
    #[error("registry database: {0}")]
    Database(#[from] redb::Error),
    /// The database belongs to another issuer.
    #[error("registry database of issuer {found}, opened for issuer {expected}")]
    WrongIssuer {
        /// The issuer the service runs for.
        expected: u32,
        /// The issuer the file says.
        found: u32,
    },
    /// A record is damaged (`record` names it: `leaves[3]`, `meta.published`).
    #[error("registry database: {record}: {reason}")]
    Corrupt {
        /// Which record.
        record: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

fn db_error(e: impl Into<redb::Error>) -> RegistryStoreError {
    RegistryStoreError::Database(e.into())
}

fn corrupt(record: impl Into<String>, reason: &'static str) -> RegistryStoreError {
    RegistryStoreError::Corrupt {
        record: record.into(),
        reason,
    }
}

/// One enrolment as stored: the credential and whether it was revoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredCredential {
    /// The customer's `id_commit`.
    pub id_commit: Fr,
    /// Its attributes (the issuer is the registry's).
    pub attributes: CredentialAttributes,
    /// Whether the leaf was revoked (it is zero in the tree).
    pub revoked: bool,
}

impl StoredCredential {
    /// The leaf this credential has in the tree (zero once revoked).
    pub fn leaf(&self) -> Fr {
        if self.revoked {
            Fr::zero()
        } else {
            self.attributes.leaf(self.id_commit)
        }
    }

    /// The record's [`RECORD_BYTES`] bytes.
    pub fn to_bytes(&self) -> [u8; RECORD_BYTES] {
        let mut out = [0u8; RECORD_BYTES];
        out[..32].copy_from_slice(&fr_to_bytes(&self.leaf()));
        out[32..64].copy_from_slice(&fr_to_bytes(&self.id_commit));
        out[64..68].copy_from_slice(&self.attributes.jurisdiction.to_le_bytes());
        out[68..72].copy_from_slice(&self.attributes.expiry_day.to_le_bytes());
        out[72..76].copy_from_slice(&self.attributes.tier.to_le_bytes());
        out
    }

    /// Decodes the record of leaf `index` of issuer `issuer_id`, checking that its leaf is the
    /// credential's hash or zero (revoked).
    pub fn from_bytes(
        bytes: &[u8],
        index: u64,
        issuer_id: u32,
    ) -> Result<Self, RegistryStoreError> {
        let record = || format!("leaves[{index}]");
        let bytes: &[u8; RECORD_BYTES] = bytes
            .try_into()
            .map_err(|_| corrupt(record(), "not 76 bytes"))?;
        let field = |range: std::ops::Range<usize>, what: &'static str| {
            let mut b = [0u8; 32];
            b.copy_from_slice(&bytes[range]);
            fr_from_bytes(&b, "leaf").map_err(|_| corrupt(record(), what))
        };
        let u32_at = |at: usize| {
            let mut b = [0u8; 4];
            b.copy_from_slice(&bytes[at..at + 4]);
            u32::from_le_bytes(b)
        };
        let leaf = field(0..32, "leaf: not a canonical field element")?;
        let id_commit = field(32..64, "id_commit: not a canonical field element")?;
        let attributes = CredentialAttributes {
            jurisdiction: u32_at(64),
            expiry_day: u32_at(68),
            tier: u32_at(72),
            issuer_id,
        };
        attributes
            .validate()
            .map_err(|_| corrupt(record(), "jurisdiction out of range"))?;
        let credential = StoredCredential {
            id_commit,
            attributes,
            revoked: leaf.is_zero(),
        };
        if !credential.revoked && credential.leaf() != leaf {
            return Err(corrupt(record(), "the leaf is not its credential's hash"));
        }
        Ok(credential)
    }
}

/// The last root update the node admitted from this registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Published {
    /// Its sequence number.
    pub seq: u64,
    /// The root it carries.
    pub root: Fr,
}

impl Published {
    fn to_bytes(self) -> [u8; 40] {
        let mut out = [0u8; 40];
        out[..8].copy_from_slice(&self.seq.to_le_bytes());
        out[8..].copy_from_slice(&fr_to_bytes(&self.root));
        out
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, RegistryStoreError> {
        let bytes: &[u8; 40] = bytes
            .try_into()
            .map_err(|_| corrupt("meta.published", "not 40 bytes"))?;
        let mut seq = [0u8; 8];
        seq.copy_from_slice(&bytes[..8]);
        let mut root = [0u8; 32];
        root.copy_from_slice(&bytes[8..]);
        Ok(Published {
            seq: u64::from_le_bytes(seq),
            root: fr_from_bytes(&root, "root")
                .map_err(|_| corrupt("meta.published", "root: not a canonical field element"))?,
        })
    }
}

/// What the database holds, rebuilt.
#[derive(Debug)]
pub struct LoadedRegistry {
    /// The tree, with every leaf in order (revoked ones zero).
    pub registry: KycRegistry,
    /// The credentials, by leaf index.
    pub credentials: Vec<StoredCredential>,
    /// The last root update the node admitted, if any.
    pub published: Option<Published>,
}

/// The registry's redb database.
pub struct RegistryStore {
    db: Database,
    issuer_id: u32,
}

impl fmt::Debug for RegistryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegistryStore(issuer {})", self.issuer_id)
    }
}

fn u32_value(bytes: &[u8], record: &'static str) -> Result<u32, RegistryStoreError> {
    let b: [u8; 4] = bytes
        .try_into()
        .map_err(|_| corrupt(record, "not 4 bytes"))?;
    Ok(u32::from_le_bytes(b))
}

impl RegistryStore {
    /// Opens (or creates) the database at `path` for issuer `issuer_id` and rebuilds the
    /// registry it holds.
    ///
    /// # Errors
    /// Not a redb database, another issuer's, a damaged record, an I/O failure.
    pub fn open(path: &Path, issuer_id: u32) -> Result<(Self, LoadedRegistry), RegistryStoreError> {
        let db = Database::create(path).map_err(|source| RegistryStoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let txn = db.begin_write().map_err(db_error)?;
        {
            let mut meta = txn.open_table(META).map_err(db_error)?;
            let format = meta
                .get("format")
                .map_err(db_error)?
                .map(|v| u32_value(v.value(), "meta.format"))
                .transpose()?;
            match format {
                None => {
                    meta.insert("format", FORMAT.to_le_bytes().as_slice())
                        .map_err(db_error)?;
                }
                Some(FORMAT) => {}
                Some(_) => return Err(corrupt("meta.format", "unknown format")),
            }
            let found = meta
                .get("issuer")
                .map_err(db_error)?
                .map(|v| u32_value(v.value(), "meta.issuer"))
                .transpose()?;
            match found {
                None => {
                    meta.insert("issuer", issuer_id.to_le_bytes().as_slice())
                        .map_err(db_error)?;
                }
                Some(found) if found != issuer_id => {
                    return Err(RegistryStoreError::WrongIssuer {
                        expected: issuer_id,
                        found,
                    })
                }
                Some(_) => {}
            }
            txn.open_table(LEAVES).map_err(db_error)?;
        }
        txn.commit().map_err(db_error)?;
        let store = RegistryStore { db, issuer_id };
        let loaded = store.load()?;
        Ok((store, loaded))
    }

    /// The issuer.
    pub fn issuer_id(&self) -> u32 {
        self.issuer_id
    }

    /// Reads every record and rebuilds the tree.
    fn load(&self) -> Result<LoadedRegistry, RegistryStoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let meta = txn.open_table(META).map_err(db_error)?;
        let published = meta
            .get("published")
            .map_err(db_error)?
            .map(|v| Published::from_bytes(v.value()))
            .transpose()?;
        let leaves = txn.open_table(LEAVES).map_err(db_error)?;
        let mut registry = KycRegistry::new(self.issuer_id);
        let mut credentials = Vec::new();
        for entry in leaves.iter().map_err(db_error)? {
            let (key, value) = entry.map_err(db_error)?;
            let index = key.value();
            if index != registry.len() {
                return Err(corrupt(format!("leaves[{index}]"), "leaf indices skip"));
            }
            let credential = StoredCredential::from_bytes(value.value(), index, self.issuer_id)?;
            registry
                .enrol(credential.id_commit, &credential.attributes)
                .map_err(|_| corrupt(format!("leaves[{index}]"), "the tree refused the leaf"))?;
            if credential.revoked {
                registry
                    .revoke(index)
                    .map_err(|_| corrupt(format!("leaves[{index}]"), "the tree refused it"))?;
            }
            credentials.push(credential);
        }
        Ok(LoadedRegistry {
            registry,
            credentials,
            published,
        })
    }

    /// Writes the credential at leaf `index` (an enrolment, or its revocation), in one write
    /// transaction.
    ///
    /// # Errors
    /// The database failed.
    pub fn put(&self, index: u64, credential: &StoredCredential) -> Result<(), RegistryStoreError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            let mut leaves = txn.open_table(LEAVES).map_err(db_error)?;
            leaves
                .insert(index, credential.to_bytes().as_slice())
                .map_err(db_error)?;
        }
        txn.commit().map_err(db_error)
    }

    /// Records the last root update the node admitted.
    ///
    /// # Errors
    /// The database failed.
    pub fn set_published(&self, published: Published) -> Result<(), RegistryStoreError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            let mut meta = txn.open_table(META).map_err(db_error)?;
            meta.insert("published", published.to_bytes().as_slice())
                .map_err(db_error)?;
        }
        txn.commit().map_err(db_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::UniformRand;
    use rand::SeedableRng;

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("corridor-kyc-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn credential(rng: &mut rand_chacha::ChaCha20Rng, jurisdiction: u32) -> StoredCredential {
        StoredCredential {
            id_commit: Fr::rand(rng),
            attributes: CredentialAttributes {
                jurisdiction,
                expiry_day: 21_000,
                tier: 2,
                issuer_id: 1,
            },
            revoked: false,
        }
    }

    #[test]
    fn enrolments_revocations_and_the_published_head_survive_a_reopen() {
        let dir = temp("round-trip");
        let path = dir.join("registry.redb");
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
        let creds: Vec<_> = (0..3).map(|j| credential(&mut rng, j)).collect();
        let (root, published) = {
            let (store, loaded) = RegistryStore::open(&path, 1).unwrap();
            let mut registry = loaded.registry;
            assert!(registry.is_empty() && loaded.published.is_none());
            for (i, c) in creds.iter().enumerate() {
                store.put(i as u64, c).unwrap();
                registry.enrol(c.id_commit, &c.attributes).unwrap();
            }
            let revoked = StoredCredential {
                revoked: true,
                ..creds[1]
            };
            store.put(1, &revoked).unwrap();
            registry.revoke(1).unwrap();
            let published = Published {
                seq: 4,
                root: registry.root(),
            };
            store.set_published(published).unwrap();
            (registry.root(), published)
        };
        let (_store, loaded) = RegistryStore::open(&path, 1).unwrap();
        assert_eq!(loaded.registry.root(), root);
        assert_eq!(loaded.registry.len(), 3);
        assert!(loaded.registry.is_live(0) && !loaded.registry.is_live(1));
        assert_eq!(loaded.published, Some(published));
        assert!(loaded.credentials[1].revoked);
        assert_eq!(loaded.credentials[2], creds[2]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn another_issuers_database_is_refused() {
        let dir = temp("issuer");
        let path = dir.join("registry.redb");
        drop(RegistryStore::open(&path, 1).unwrap());
        assert!(matches!(
            RegistryStore::open(&path, 2),
            Err(RegistryStoreError::WrongIssuer {
                expected: 2,
                found: 1
            })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_that_is_not_a_database_gives_a_typed_error() {
        let dir = temp("garbage");
        let path = dir.join("registry.redb");
        std::fs::write(&path, vec![0xa5; 4096]).unwrap();
        assert!(matches!(
            RegistryStore::open(&path, 1),
            Err(RegistryStoreError::Open { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn damaged_records_are_named() {
        let dir = temp("damaged");
        let path = dir.join("registry.redb");
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(10);
        let good = credential(&mut rng, 0);
        let write_raw = |index: u64, bytes: &[u8]| {
            let db = Database::create(&path).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(LEAVES)
                .unwrap()
                .insert(index, bytes)
                .unwrap();
            txn.commit().unwrap();
        };
        let open_err = || match RegistryStore::open(&path, 1) {
            Err(RegistryStoreError::Corrupt { record, reason }) => (record, reason),
            other => panic!("expected Corrupt, got {other:?}"),
        };
        drop(RegistryStore::open(&path, 1).unwrap());

        // A record cut short.
        write_raw(0, &[1, 2, 3]);
        assert_eq!(open_err(), ("leaves[0]".to_string(), "not 76 bytes"));

        // A leaf that is not its credential's hash.
        let mut bytes = good.to_bytes();
        bytes[40] ^= 1;
        write_raw(0, &bytes);
        assert_eq!(
            open_err(),
            (
                "leaves[0]".to_string(),
                "the leaf is not its credential's hash"
            )
        );

        // A gap in the indices.
        write_raw(0, &good.to_bytes());
        write_raw(2, &good.to_bytes());
        assert_eq!(open_err(), ("leaves[2]".to_string(), "leaf indices skip"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
