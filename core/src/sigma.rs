//! Sigma proofs of linear relations, written as equations (DESIGN.md §3.5).
//!
//! Every sigma relation of the protocol has the form: there exist witnesses `w_0…w_{n-1}` such
//! that, for each equation `e`, `Σ_k a_k·A_k = Σ_i w_{idx(i)}·B_i`, where the left side is a
//! public linear combination of public points and each right-side base `B_i` is public. The proof
//! is the Fiat–Shamir transform of the Schnorr protocol for that relation: one commitment
//! `Y_e = Σ_i k_{idx(i)}·B_i` per equation, a challenge `c`, one response `z_j = k_j + c·w_j` per
//! witness. Verification of equation `e` is the identity
//!
//! `Σ_i z_{idx(i)}·B_i − Y_e − c·Σ_k a_k·A_k = 0`,
//!
//! which this module hands out as a list of `(scalar, base)` terms ([`Equation`]) so that a
//! verifier checks one list with one multiscalar multiplication, and a batch verifier folds many
//! lists, each times an independent random weight, into one.
//!
//! Why it is sound: two accepting transcripts with the same commitments and different challenges
//! give `w_j = (z_j − z'_j)/(c − c')` satisfying every equation (special soundness); the statement
//! is in the transcript before `Y_e`, so `c` binds it.
use crate::error::DecodeError;
use crate::group::{decode_scalar, pedersen, Point};
use crate::proto;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use std::fmt;

/// A base of a term: the two fixed generators, which a batched multiscalar multiplication
/// shares, or any other point.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// G, the value generator.
    G,
    /// H, the blinding generator.
    H,
    /// Any other point, with its canonical encoding (a batch verifier merges equal points by
    /// it).
    Point(Point),
}

impl Base {
    /// The point this base stands for.
    pub fn point(&self) -> RistrettoPoint {
        match self {
            Base::G => pedersen().B,
            Base::H => pedersen().B_blinding,
            Base::Point(p) => p.point(),
        }
    }
}

impl From<Point> for Base {
    fn from(p: Point) -> Self {
        Base::Point(p)
    }
}

impl From<&Point> for Base {
    fn from(p: &Point) -> Self {
        Base::Point(*p)
    }
}

impl fmt::Debug for Base {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Base::G => f.write_str("G"),
            Base::H => f.write_str("H"),
            Base::Point(p) => write!(f, "{}", hex::encode(p.as_bytes())),
        }
    }
}

/// A public linear combination of points.
pub type Combination = Vec<(Scalar, Base)>;

/// Evaluates a combination.
pub fn evaluate(terms: &[(Scalar, Base)]) -> RistrettoPoint {
    RistrettoPoint::vartime_multiscalar_mul(
        terms.iter().map(|(s, _)| *s),
        terms.iter().map(|(_, b)| b.point()),
    )
}

/// A verification equation: the terms must sum to the identity.
#[derive(Clone, Debug)]
pub struct Equation {
    /// The `(scalar, base)` terms.
    pub terms: Vec<(Scalar, Base)>,
}

impl Equation {
    /// Whether the terms sum to the identity (one multiscalar multiplication).
    pub fn holds(&self) -> bool {
        evaluate(&self.terms).is_identity()
    }
}

/// One equation of a linear relation: `Σ lhs = Σ witness[idx]·base`.
#[derive(Clone, Debug)]
pub struct LinearEquation {
    /// The public left side.
    pub lhs: Combination,
    /// The right side: witness index and public base.
    pub rhs: Vec<(usize, Base)>,
}

/// A linear relation: there exist `witnesses` scalars satisfying every equation.
#[derive(Clone, Debug)]
pub struct LinearRelation {
    /// The relation's transcript separator (from [`crate::domain::proof`]).
    pub separator: &'static [u8],
    /// Number of witnesses.
    pub witnesses: usize,
    /// The equations.
    pub equations: Vec<LinearEquation>,
}

impl LinearRelation {
    /// Whether `witness` satisfies every equation (for provers' self-checks and tests).
    pub fn is_satisfied(&self, witness: &[Scalar]) -> bool {
        witness.len() == self.witnesses
            && self.equations.iter().all(|e| {
                let rhs: Combination = e.rhs.iter().map(|(i, b)| (witness[*i], *b)).collect();
                evaluate(&e.lhs) == evaluate(&rhs)
            })
    }

    /// The proof shape: (commitments, responses).
    pub fn shape(&self) -> (usize, usize) {
        (self.equations.len(), self.witnesses)
    }
}

/// A sigma proof: one commitment per equation, one response per witness.
#[derive(Clone, PartialEq, Eq)]
pub struct SigmaProof {
    /// `Y_e`.
    pub commitments: Vec<Point>,
    /// `z_j`.
    pub responses: Vec<Scalar>,
}

impl fmt::Debug for SigmaProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SigmaProof({} commitments, {} responses)",
            self.commitments.len(),
            self.responses.len()
        )
    }
}

impl SigmaProof {
    /// An empty placeholder, for a body whose proofs are not made yet.
    pub fn empty() -> Self {
        SigmaProof {
            commitments: Vec::new(),
            responses: Vec::new(),
        }
    }

    /// Decodes a proof of the given shape: counts are checked before anything is parsed;
    /// commitments may be the identity (a prover may pick a zero nonce), scalars must be
    /// canonical.
    pub fn decode(
        msg: &proto::SigmaProof,
        field: &str,
        shape: (usize, usize),
    ) -> Result<Self, DecodeError> {
        let (nc, nr) = shape;
        if msg.commitments.len() != nc {
            return Err(DecodeError::count(
                format!("{field}.commitments"),
                nc.to_string(),
                msg.commitments.len(),
            ));
        }
        if msg.responses.len() != nr {
            return Err(DecodeError::count(
                format!("{field}.responses"),
                nr.to_string(),
                msg.responses.len(),
            ));
        }
        let commitments = msg
            .commitments
            .iter()
            .enumerate()
            .map(|(i, b)| Point::decode(b, &format!("{field}.commitments[{i}]")))
            .collect::<Result<_, _>>()?;
        let responses = msg
            .responses
            .iter()
            .enumerate()
            .map(|(i, b)| decode_scalar(b, &format!("{field}.responses[{i}]")))
            .collect::<Result<_, _>>()?;
        Ok(SigmaProof {
            commitments,
            responses,
        })
    }

    /// Decodes an optional proof field of the given shape.
    pub fn decode_required(
        msg: &Option<proto::SigmaProof>,
        field: &str,
        shape: (usize, usize),
    ) -> Result<Self, DecodeError> {
        let m = msg.as_ref().ok_or_else(|| DecodeError::missing(field))?;
        Self::decode(m, field, shape)
    }

    /// The wire form.
    pub fn to_proto(&self) -> proto::SigmaProof {
        proto::SigmaProof {
            commitments: self
                .commitments
                .iter()
                .map(|p| p.to_bytes().to_vec())
                .collect(),
            responses: self
                .responses
                .iter()
                .map(|s| s.to_bytes().to_vec())
                .collect(),
        }
    }
}
