//! Addresses: `(X, P)`, written in bech32m with hrp `crd` (DESIGN.md §3.2).
use crate::error::{DecodeError, Error};
use crate::group::Point;
use crate::proto;
use bech32::primitives::decode::CheckedHrpstring;
use bech32::{Bech32m, Hrp};
use std::fmt;
use std::str::FromStr;

/// The human-readable part of every address.
pub const HRP: &str = "crd";

/// An address: the spend key `X` and the view key `P`, neither the identity.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Address {
    spend: Point,
    view: Point,
}

impl Address {
    /// Builds an address from its two keys (callers hold keys they derived, never identities).
    pub(crate) fn new(spend: Point, view: Point) -> Self {
        Address { spend, view }
    }

    /// Builds an address from decoded keys, rejecting identities.
    pub fn from_keys(spend: Point, view: Point) -> Result<Self, DecodeError> {
        if spend.is_identity() {
            return Err(DecodeError::IdentityPoint {
                field: "address.spend_key".into(),
            });
        }
        if view.is_identity() {
            return Err(DecodeError::IdentityPoint {
                field: "address.view_key".into(),
            });
        }
        Ok(Address { spend, view })
    }

    /// `X`.
    pub fn spend_key(&self) -> &Point {
        &self.spend
    }

    /// `P`.
    pub fn view_key(&self) -> &Point {
        &self.view
    }

    /// `X ‖ P`.
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(self.spend.as_bytes());
        out[32..].copy_from_slice(self.view.as_bytes());
        out
    }

    /// Decodes `X ‖ P`.
    pub fn from_bytes(bytes: &[u8], field: &str) -> Result<Self, DecodeError> {
        if bytes.len() != 64 {
            return Err(DecodeError::Length {
                field: field.to_string(),
                expected: 64,
                got: bytes.len(),
            });
        }
        let spend = Point::decode_nonidentity(&bytes[..32], &format!("{field}.spend_key"))?;
        let view = Point::decode_nonidentity(&bytes[32..], &format!("{field}.view_key"))?;
        Ok(Address { spend, view })
    }

    /// Decodes the wire form.
    pub fn from_proto(msg: &proto::Address, field: &str) -> Result<Self, DecodeError> {
        let spend = Point::decode_nonidentity(&msg.spend_key, &format!("{field}.spend_key"))?;
        let view = Point::decode_nonidentity(&msg.view_key, &format!("{field}.view_key"))?;
        Ok(Address { spend, view })
    }

    /// Decodes a required wire field.
    pub fn from_proto_required(
        msg: &Option<proto::Address>,
        field: &str,
    ) -> Result<Self, DecodeError> {
        Self::from_proto(
            msg.as_ref().ok_or_else(|| DecodeError::missing(field))?,
            field,
        )
    }

    /// The wire form.
    pub fn to_proto(&self) -> proto::Address {
        proto::Address {
            spend_key: self.spend.to_bytes().to_vec(),
            view_key: self.view.to_bytes().to_vec(),
        }
    }

    /// The bech32m string.
    pub fn encode(&self) -> String {
        // The hrp is a valid constant and 64 bytes fit bech32m's 1023-character limit.
        match Hrp::parse(HRP).map(|hrp| bech32::encode::<Bech32m>(hrp, &self.to_bytes())) {
            Ok(Ok(s)) => s,
            _ => String::new(),
        }
    }

    /// Parses a bech32m string with hrp `crd`.
    pub fn decode(s: &str) -> Result<Self, Error> {
        if s.len() > 1023 {
            return Err(Error::Address(format!(
                "{} characters exceed bech32m's 1023",
                s.len()
            )));
        }
        let checked = CheckedHrpstring::new::<Bech32m>(s)
            .map_err(|e| Error::Address(format!("not bech32m: {e}")))?;
        if checked.hrp().as_str() != HRP {
            return Err(Error::Address(format!(
                "human-readable part is {:?}, expected {HRP:?}",
                checked.hrp().as_str()
            )));
        }
        let bytes: Vec<u8> = checked.byte_iter().collect();
        Ok(Address::from_bytes(&bytes, "address")?)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({})", self.encode())
    }
}

impl FromStr for Address {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Address::decode(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{WalletKeys, WalletSeed};

    #[test]
    fn bech32m_roundtrip_and_rejections() {
        let a = WalletKeys::from_seed(&WalletSeed::from_bytes([3; 32]))
            .unwrap()
            .address();
        let s = a.encode();
        assert!(s.starts_with("crd1"));
        assert_eq!(Address::decode(&s).unwrap(), a);
        // Flip one character: the checksum catches it.
        let mut chars: Vec<char> = s.chars().collect();
        let i = chars.len() / 2;
        chars[i] = if chars[i] == 'q' { 'p' } else { 'q' };
        let bad: String = chars.into_iter().collect();
        assert!(Address::decode(&bad).is_err());
        // Another hrp.
        let other = bech32::encode::<Bech32m>(Hrp::parse("abc").unwrap(), &a.to_bytes()).unwrap();
        assert!(Address::decode(&other)
            .unwrap_err()
            .to_string()
            .contains("abc"));
        // Bech32 (not m).
        let b32 =
            bech32::encode::<bech32::Bech32>(Hrp::parse(HRP).unwrap(), &a.to_bytes()).unwrap();
        assert!(Address::decode(&b32).is_err());
        // Identity keys.
        let zero = bech32::encode::<Bech32m>(Hrp::parse(HRP).unwrap(), &[0u8; 64]).unwrap();
        assert!(Address::decode(&zero).is_err());
        // Wrong length.
        let short = bech32::encode::<Bech32m>(Hrp::parse(HRP).unwrap(), &[1u8; 63]).unwrap();
        assert!(Address::decode(&short).is_err());
    }
}
