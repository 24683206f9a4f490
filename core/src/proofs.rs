//! The sigma relations of DESIGN.md §3.5, each a [`LinearRelation`] built from its public part.
//! The prover supplies witnesses in the order each function documents; the verifier derives the
//! equations from the same relation (see [`crate::sigma`]).
//!
//! | relation | witnesses |
//! |---|---|
//! | [`equality`]: `H = t·P ∧ C = v·G + t·D ∧ C' = v·G + r'·H` | `(t, v, r')` |
//! | [`validity`]: `C_k = v_k·G + r_k·H ∧ ∀j D_k^j = r_k·P_j` | `(v_k, r_k)` |
//! | [`public_amount`]: `C_k − v_k·G = r_k·H ∧ ∀j D_k^j = r_k·P_j` | `(r_k)` |
//! | [`balance`]: `Σ C'_in − Σ C_out − (fee + burn)·G = e·H` | `(e)` |
//! | [`fx`]: `num·C'_a − den·C_b − R = e·H` | `(e)` |
//! | [`view_key_possession`]: `P = s·H` | `(s)` |
//! | [`recipient_disclosure`]: `H = t·P ∧ C − v·G = t·D` | `(t)` |
//! | [`sender_disclosure`]: `C − v·G = r·H ∧ D = r·P` | `(r)` |
use crate::domain::proof as sep;
use crate::elgamal::{ChunkCiphertext, EncryptedAmount};
use crate::group::{chunk_scale, Point};
use crate::sigma::{Base, Combination, LinearEquation, LinearRelation};
use curve25519_dalek::scalar::Scalar;

/// `C = C_0 + 2^32·C_1` as a combination, so a batch verifier never computes it.
pub fn commitment_combination(a: &EncryptedAmount) -> Combination {
    vec![
        (Scalar::ONE, Base::from(&a.chunks[0].commitment)),
        (chunk_scale(), Base::from(&a.chunks[1].commitment)),
    ]
}

fn negate(c: Combination) -> Combination {
    c.into_iter().map(|(s, b)| (-s, b)).collect()
}

fn scale(c: Combination, k: Scalar) -> Combination {
    c.into_iter().map(|(s, b)| (s * k, b)).collect()
}

/// Ciphertext–commitment equality of a spent note: ∃ `t, v, r'`: `H = t·P ∧ C = v·G + t·D ∧
/// C' = v·G + r'·H` (so `t = s⁻¹`: whoever proves it holds the view key of `P`, and `C'` commits
/// the note's value). `P` is the owner's view key, `C`, `D` the note's commitment and owner
/// handle. Witnesses `(t, v, r')`.
pub fn equality(
    owner_view_key: &Point,
    note: &EncryptedAmount,
    owner_handle: &Point,
    recommitment: &Point,
) -> LinearRelation {
    LinearRelation {
        separator: sep::EQUALITY,
        witnesses: 3,
        equations: vec![
            LinearEquation {
                lhs: vec![(Scalar::ONE, Base::H)],
                rhs: vec![(0, Base::from(owner_view_key))],
            },
            LinearEquation {
                lhs: commitment_combination(note),
                rhs: vec![(1, Base::G), (0, Base::from(owner_handle))],
            },
            LinearEquation {
                lhs: vec![(Scalar::ONE, Base::from(recommitment))],
                rhs: vec![(1, Base::G), (2, Base::H)],
            },
        ],
    }
}

/// Grouped validity of one chunk: ∃ `v, r`: `C = v·G + r·H ∧ ∀j D^j = r·P_j`: every handle
/// opens with the same `r` as the commitment, so each decryptor recovers `v`. Witnesses `(v, r)`.
pub fn validity(chunk: &ChunkCiphertext, decryptors: &[Point]) -> LinearRelation {
    let mut equations = vec![LinearEquation {
        lhs: vec![(Scalar::ONE, Base::from(&chunk.commitment))],
        rhs: vec![(0, Base::G), (1, Base::H)],
    }];
    equations.extend(
        chunk
            .handles
            .iter()
            .zip(decryptors)
            .map(|(d, p)| LinearEquation {
                lhs: vec![(Scalar::ONE, Base::from(d))],
                rhs: vec![(1, Base::from(p))],
            }),
    );
    LinearRelation {
        separator: sep::VALIDITY,
        witnesses: 2,
        equations,
    }
}

/// Public amount of one minted chunk: ∃ `r`: `C − v·G = r·H ∧ ∀j D^j = r·P_j`. Witness `(r)`.
pub fn public_amount(chunk: &ChunkCiphertext, value: u64, decryptors: &[Point]) -> LinearRelation {
    let mut equations = vec![LinearEquation {
        lhs: vec![
            (Scalar::ONE, Base::from(&chunk.commitment)),
            (-Scalar::from(value), Base::G),
        ],
        rhs: vec![(0, Base::H)],
    }];
    equations.extend(
        chunk
            .handles
            .iter()
            .zip(decryptors)
            .map(|(d, p)| LinearEquation {
                lhs: vec![(Scalar::ONE, Base::from(d))],
                rhs: vec![(0, Base::from(p))],
            }),
    );
    LinearRelation {
        separator: sep::PUBLIC_AMOUNT,
        witnesses: 1,
        equations,
    }
}

/// Balance of one asset: ∃ `e`: `Σ C'_in − Σ C_out − public·G = e·H`, where `public` is the fee
/// plus the burnt amount. With every value range-bounded, no sum wraps the group order, so the
/// values balance as integers. Witness `(e)`.
pub fn balance(
    recommitments: &[&Point],
    outputs: &[&EncryptedAmount],
    public: &[u64],
) -> LinearRelation {
    let mut lhs: Combination = recommitments
        .iter()
        .map(|c| (Scalar::ONE, Base::from(*c)))
        .collect();
    for o in outputs {
        lhs.extend(negate(commitment_combination(o)));
    }
    let public: Scalar = public.iter().map(|v| Scalar::from(*v)).sum();
    if public != Scalar::ZERO {
        lhs.push((-public, Base::G));
    }
    LinearRelation {
        separator: sep::BALANCE,
        witnesses: 1,
        equations: vec![LinearEquation {
            lhs,
            rhs: vec![(0, Base::H)],
        }],
    }
}

/// FX conversion: ∃ `e`: `num·C'_a − den·C_b − R = e·H`. With `R` committing `rem` and both
/// `rem` and `den − 1 − rem` range-proven, `a·num = b·den + rem` with `0 ≤ rem < den`, i.e.
/// `b = ⌊a·num/den⌋` exactly. Witness `(e)`.
pub fn fx(
    recommitment_a: &Point,
    output_b: &EncryptedAmount,
    remainder: &Point,
    num: u32,
    den: u32,
) -> LinearRelation {
    let mut lhs: Combination = vec![(Scalar::from(num), Base::from(recommitment_a))];
    lhs.extend(scale(commitment_combination(output_b), -Scalar::from(den)));
    lhs.push((-Scalar::ONE, Base::from(remainder)));
    LinearRelation {
        separator: sep::FX,
        witnesses: 1,
        equations: vec![LinearEquation {
            lhs,
            rhs: vec![(0, Base::H)],
        }],
    }
}

/// View-key possession: ∃ `s`: `P = s·H`. Witness `(s)`.
pub fn view_key_possession(view_key: &Point) -> LinearRelation {
    LinearRelation {
        separator: sep::VIEW_KEY_POSSESSION,
        witnesses: 1,
        equations: vec![LinearEquation {
            lhs: vec![(Scalar::ONE, Base::from(view_key))],
            rhs: vec![(0, Base::H)],
        }],
    }
}

/// Recipient disclosure of note value `v`: ∃ `t`: `H = t·P ∧ C − v·G = t·D`. Witness `(t)`.
pub fn recipient_disclosure(
    owner_view_key: &Point,
    note: &EncryptedAmount,
    owner_handle: &Point,
    value: u64,
) -> LinearRelation {
    let mut lhs = commitment_combination(note);
    lhs.push((-Scalar::from(value), Base::G));
    LinearRelation {
        separator: sep::RECIPIENT_DISCLOSURE,
        witnesses: 1,
        equations: vec![
            LinearEquation {
                lhs: vec![(Scalar::ONE, Base::H)],
                rhs: vec![(0, Base::from(owner_view_key))],
            },
            LinearEquation {
                lhs,
                rhs: vec![(0, Base::from(owner_handle))],
            },
        ],
    }
}

/// Sender disclosure of note value `v`: ∃ `r`: `C − v·G = r·H ∧ D = r·P`, with `C`, `D` the
/// note's combined commitment and owner handle and `r = r_0 + 2^32·r_1` the blinding the sender
/// kept. Witness `(r)`.
pub fn sender_disclosure(
    owner_view_key: &Point,
    note: &EncryptedAmount,
    owner_handle: &Point,
    value: u64,
) -> LinearRelation {
    let mut lhs = commitment_combination(note);
    lhs.push((-Scalar::from(value), Base::G));
    LinearRelation {
        separator: sep::SENDER_DISCLOSURE,
        witnesses: 1,
        equations: vec![
            LinearEquation {
                lhs,
                rhs: vec![(0, Base::H)],
            },
            LinearEquation {
                lhs: vec![(Scalar::ONE, Base::from(owner_handle))],
                rhs: vec![(0, Base::from(owner_view_key))],
            },
        ],
    }
}
