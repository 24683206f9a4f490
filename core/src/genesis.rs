//! The genesis policy (DESIGN.md §3.7): what every node agrees on before the first block.
//! Parsing it from TOML is the node's job; these are the validated types the protocol reads.
use crate::address::Address;
use crate::error::Error;
use crate::group::Point;

/// Most auditors an asset may name.
pub const MAX_AUDITORS: usize = 4;

/// One asset (tokenised fiat).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetPolicy {
    /// Code, e.g. `HKD`.
    pub code: String,
    /// Display decimals.
    pub decimals: u8,
    /// The issuer's signing key (signs Mint).
    pub issuer_key: Point,
    /// The issuer's treasury address (Mint pays only here).
    pub treasury: Address,
    /// Auditor view keys, in the order of the handles after the owner's.
    pub auditors: Vec<Point>,
    /// The most a transaction may pay to other addresses in this asset.
    pub limit: Option<u64>,
    /// Jurisdictions (bits, in [`Genesis::jurisdictions`] order) whose customers may hold it.
    pub kyc_mask: u64,
    /// Highest KYC tier allowed.
    pub max_tier: u32,
}

impl AssetPolicy {
    /// Decryption keys of an output owned by `owner`: the owner's, then the auditors'.
    pub fn decryptors(&self, owner: &Address) -> Vec<Point> {
        std::iter::once(*owner.view_key())
            .chain(self.auditors.iter().copied())
            .collect()
    }
}

/// A wallet operator: signs quotes and payouts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    /// Name, e.g. `ph-wallet`.
    pub name: String,
    /// Signing key.
    pub key: Point,
    /// Where remittances to this operator are paid (asset A), and where their A value returns.
    pub settlement: Address,
    /// The float that pays beneficiaries (asset B).
    pub float: Address,
}

/// A KYC issuer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KycIssuer {
    /// Numeric id (a public input of the KYC circuit).
    pub id: u32,
    /// Signs root updates.
    pub key: Point,
    /// Jurisdiction codes it may vouch for.
    pub jurisdictions: Vec<String>,
}

/// At most this many jurisdictions: the KYC circuit's mask has 32 bits.
pub const MAX_JURISDICTIONS: usize = 32;

/// The genesis policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Genesis {
    /// Network id.
    pub network: String,
    /// Dev networks accept dev-seed parameters.
    pub dev: bool,
    /// Assets.
    pub assets: Vec<AssetPolicy>,
    /// Jurisdiction codes in bit order.
    pub jurisdictions: Vec<String>,
    /// KYC issuers.
    pub kyc_issuers: Vec<KycIssuer>,
    /// Wallet operators.
    pub operators: Vec<Operator>,
    /// The regulators' escrow key (Baby Jubjub, compressed).
    pub escrow_key: [u8; 32],
    /// How many blocks a superseded KYC root stays acceptable.
    pub root_window: u64,
    /// Jurisdictions allowed to register addresses.
    pub registration_mask: u64,
    /// Highest tier allowed to register.
    pub registration_max_tier: u32,
    /// SHA-256 of the Groth16 verifying key.
    pub vk_hash: [u8; 32],
    /// Hash of the ceremony transcript.
    pub ceremony_hash: [u8; 32],
}

impl Genesis {
    /// An asset by code.
    pub fn asset(&self, code: &str) -> Option<&AssetPolicy> {
        self.assets.iter().find(|a| a.code == code)
    }

    /// An operator by name.
    pub fn operator(&self, name: &str) -> Option<&Operator> {
        self.operators.iter().find(|o| o.name == name)
    }

    /// The bit of jurisdiction `code` in the jurisdiction masks (its position in
    /// [`Genesis::jurisdictions`]), the `jurisdiction` attribute of a credential.
    pub fn jurisdiction_bit(&self, code: &str) -> Option<u32> {
        self.jurisdictions
            .iter()
            .position(|c| c == code)
            .and_then(|i| u32::try_from(i).ok())
    }

    /// A KYC issuer by id.
    pub fn kyc_issuer(&self, id: u32) -> Option<&KycIssuer> {
        self.kyc_issuers.iter().find(|i| i.id == id)
    }

    /// Institutional addresses (treasuries, operators' settlement and float addresses) sign
    /// without KYC; every other signer is a customer.
    pub fn is_institutional(&self, addr: &Address) -> bool {
        self.assets.iter().any(|a| a.treasury == *addr)
            || self
                .operators
                .iter()
                .any(|o| o.settlement == *addr || o.float == *addr)
    }

    /// Every address genesis registers.
    pub fn institutional_addresses(&self) -> Vec<Address> {
        let mut v: Vec<Address> = self.assets.iter().map(|a| a.treasury).collect();
        for o in &self.operators {
            v.push(o.settlement);
            v.push(o.float);
        }
        v
    }

    /// Checks internal consistency.
    pub fn validate(&self) -> Result<(), Error> {
        crate::tx::check_name(&self.network, "genesis.network").map_err(Error::from)?;
        for (i, a) in self.assets.iter().enumerate() {
            crate::tx::check_asset_code(&a.code, &format!("genesis.assets[{i}].code"))?;
            if self.assets[..i].iter().any(|b| b.code == a.code) {
                return Err(Error::Invalid(format!("genesis: asset {} twice", a.code)));
            }
            if a.auditors.len() > MAX_AUDITORS {
                return Err(Error::Invalid(format!(
                    "genesis: asset {} names {} auditors, at most {MAX_AUDITORS}",
                    a.code,
                    a.auditors.len()
                )));
            }
            if a.issuer_key.is_identity() || a.auditors.iter().any(|k| k.is_identity()) {
                return Err(Error::Invalid(format!(
                    "genesis: asset {} has an identity key",
                    a.code
                )));
            }
        }
        for (i, o) in self.operators.iter().enumerate() {
            crate::tx::check_name(&o.name, &format!("genesis.operators[{i}].name"))?;
            if self.operators[..i].iter().any(|p| p.name == o.name) {
                return Err(Error::Invalid(format!(
                    "genesis: operator {} twice",
                    o.name
                )));
            }
            if o.key.is_identity() {
                return Err(Error::Invalid(format!(
                    "genesis: operator {} has an identity key",
                    o.name
                )));
            }
        }
        // Schnorrkel accepts any message under the identity key: an identity issuer key would
        // let anyone publish roots.
        for (i, k) in self.kyc_issuers.iter().enumerate() {
            if k.key.is_identity() {
                return Err(Error::Invalid(format!(
                    "genesis: KYC issuer {} has an identity key",
                    k.id
                )));
            }
            if self.kyc_issuers[..i].iter().any(|j| j.id == k.id) {
                return Err(Error::Invalid(format!(
                    "genesis: KYC issuer {} twice",
                    k.id
                )));
            }
            if let Some(code) = k
                .jurisdictions
                .iter()
                .find(|c| !self.jurisdictions.contains(c))
            {
                return Err(Error::Invalid(format!(
                    "genesis: KYC issuer {} vouches for unknown jurisdiction {code}",
                    k.id
                )));
            }
        }
        // The KYC circuit decomposes the allowed mask into 32 bits.
        if self.jurisdictions.len() > MAX_JURISDICTIONS {
            return Err(Error::Invalid(format!(
                "genesis: more than {MAX_JURISDICTIONS} jurisdictions"
            )));
        }
        let too_wide = |mask: u64| mask >> self.jurisdictions.len() != 0;
        if let Some(a) = self.assets.iter().find(|a| too_wide(a.kyc_mask)) {
            return Err(Error::Invalid(format!(
                "genesis: asset {} KYC mask names a jurisdiction genesis does not list",
                a.code
            )));
        }
        if too_wide(self.registration_mask) {
            return Err(Error::Invalid(
                "genesis: the registration mask names a jurisdiction genesis does not list".into(),
            ));
        }
        Ok(())
    }
}
