//! The prover's `RemoteState` (feature `service`) against `corridor node run` on 127.0.0.1: the
//! node commits the demo's remittance chain; every read of `PublicState` through RemoteState
//! answers what the in-process network that committed the same chain answers (notes that exist
//! and do not, addresses registered and not, spend keys and links, quotes, nullifiers used and
//! not, roots current, superseded and unknown, issuers' heads); a transfer built with
//! `Builder` over RemoteState for the node's next block, on a blocking thread, is admitted and
//! committed; and once the node is gone, a read is a store error naming its RPC.
mod support;
use support::{chain, committed, submit_all, NodeProcess};

use corridor::network::KYC_ISSUER_ID;
use corridor::scenario::amounts;
use corridor_core::address::Address;
use corridor_core::group::Point;
use corridor_core::keys::{WalletKeys, WalletSeed};
use corridor_core::state::{PublicState, RootStanding, StoreError};
use corridor_core::tx::{FieldBytes, NoteId, TxBody};
use corridor_node::api::proto;
use corridor_prover::builder::Payment;
use corridor_prover::service::{connect, RemoteState};
use corridor_prover::{Builder, TransferRequest, ViewWallet};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::fmt::Debug;
use std::time::Duration;

/// The same answer from both sides, and it is an answer (no store error).
fn same<T: PartialEq + Debug>(
    what: &str,
    remote: Result<T, StoreError>,
    local: Result<T, StoreError>,
) -> T {
    let local = local.unwrap_or_else(|e| panic!("{what}: local: {e}"));
    let remote = remote.unwrap_or_else(|e| panic!("{what}: remote: {e}"));
    assert_eq!(remote, local, "{what}");
    remote
}

#[test]
fn remote_state_reads_as_the_node_and_a_transfer_built_on_it_commits() {
    let chain = chain();
    let net = &chain.report.network;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let node = NodeProcess::start(&chain.dir, "remote");
    let mut client = rt.block_on(node.client());
    let txs = chain.txs();
    let commits = rt.block_on(submit_all(&mut client, txs));
    let remote = RemoteState::new(
        rt.block_on(connect(&format!("http://{}", node.grpc)))
            .unwrap(),
        rt.handle().clone(),
    );
    // This thread is not one of the runtime's: RemoteState may block it.
    let local: &dyn PublicState = &net.state;

    // Notes: every note of the chain, and one that does not exist.
    let mut notes = 0;
    for tx in txs {
        for (id, _) in tx.new_notes() {
            let note = same("note", remote.note(&id), local.note(&id));
            assert!(note.is_some(), "note {id}");
            notes += 1;
        }
    }
    assert!(notes >= 10, "{notes} notes");
    let missing = NoteId([0x42; 32]);
    assert_eq!(
        same("note", remote.note(&missing), local.note(&missing)),
        None
    );

    // Registrations: the customers (with links), institutions (without), a stranger, and a
    // customer's spend key with another view key.
    let r = &chain.report;
    let stranger = WalletKeys::from_seed(&WalletSeed::from_bytes([0x5a; 32]))
        .unwrap()
        .address();
    let customers = [&r.maria, &r.ana, &r.juan, &r.rosa].map(|k| k.address());
    let institutions = [
        net.inst.hkd_treasury.address(),
        net.inst.ph_settlement.address(),
        net.inst.ph_float.address(),
    ];
    let mixed = Address::from_keys(*customers[0].spend_key(), *customers[1].view_key()).unwrap();
    let mut registered = 0;
    let mut links = 0;
    for a in customers
        .iter()
        .chain(&institutions)
        .chain([&stranger, &mixed])
    {
        let x: &Point = a.spend_key();
        registered += usize::from(same(
            "is_registered",
            remote.is_registered(a),
            local.is_registered(a),
        ));
        same(
            "spend_key_registered",
            remote.spend_key_registered(x),
            local.spend_key_registered(x),
        );
        links += usize::from(
            same(
                "registration_link",
                remote.registration_link(x),
                local.registration_link(x),
            )
            .is_some(),
        );
    }
    assert_eq!(
        (registered, links),
        (7, 5),
        "the customers and institutions; 4 links + mixed's"
    );
    assert!(remote.spend_key_registered(mixed.spend_key()).unwrap());
    assert!(!remote.spend_key_registered(stranger.spend_key()).unwrap());

    // Quotes: the chain's, and ones never published.
    for (operator, id) in [
        (amounts::OPERATOR, amounts::QUOTE_ID),
        (amounts::OPERATOR, amounts::QUOTE_ID + 1),
        ("hk-wallet", amounts::QUOTE_ID),
    ] {
        same(
            "quote",
            remote.quote(operator, id),
            local.quote(operator, id),
        );
    }
    assert!(remote
        .quote(amounts::OPERATOR, amounts::QUOTE_ID)
        .unwrap()
        .is_some());

    // Registration nullifiers: each RegisterAddress's, and one never used.
    let mut used = 0;
    for tx in txs {
        if let TxBody::RegisterAddress(reg) = tx.body() {
            let n = &reg.kyc.nullifier;
            assert!(same(
                "registration_nullifier_used",
                remote.registration_nullifier_used(n),
                local.registration_nullifier_used(n),
            ));
            used += 1;
        }
    }
    assert_eq!(used, 4);
    let unused = FieldBytes([7; 32]);
    assert!(!same(
        "registration_nullifier_used",
        remote.registration_nullifier_used(&unused),
        local.registration_nullifier_used(&unused),
    ));

    // KYC roots: every root published (the last current, the others superseded), a root never
    // published, another issuer; the heads.
    let roots: Vec<FieldBytes> = txs
        .iter()
        .filter_map(|tx| match tx.body() {
            TxBody::KycRootUpdate(u) => Some(u.new_root),
            _ => None,
        })
        .collect();
    let mut standings = Vec::new();
    for root in roots.iter().chain([&FieldBytes([9; 32])]) {
        for issuer in [KYC_ISSUER_ID, 2] {
            standings.push(same(
                "kyc_root",
                remote.kyc_root(issuer, root),
                local.kyc_root(issuer, root),
            ));
        }
    }
    let superseded = standings
        .iter()
        .filter(|s| matches!(s, Some(RootStanding::SupersededAt(_))))
        .count();
    let current = standings
        .iter()
        .filter(|s| **s == Some(RootStanding::Current))
        .count();
    assert_eq!((superseded, current), (roots.len() - 1, 1));
    for issuer in [KYC_ISSUER_ID, 2] {
        same(
            "kyc_root_head",
            remote.kyc_root_head(issuer),
            local.kyc_root_head(issuer),
        );
    }
    assert!(remote.kyc_root_head(KYC_ISSUER_ID).unwrap().is_some());

    // The next block: the node's height + 1, no earlier than its last block.
    let last = commits.last().unwrap().height;
    let block = remote.block_context().unwrap();
    assert_eq!(block.height, last + 1);
    let last_time = rt
        .block_on(client.status(proto::StatusRequest {}))
        .unwrap()
        .into_inner()
        .time;
    assert!(block.time >= last_time);

    // Ana pays Maria from all her HKD notes, built against the node's state for its next
    // block, on a blocking thread of the runtime, as a prover service would.
    let ana = r.ana.clone();
    let maria = r.maria.address();
    let inputs = net.owned(&ana, "HKD");
    assert!(!inputs.is_empty());
    let kyc = net.kyc_credential(&ana).unwrap();
    let builder_state = remote.clone();
    let genesis = &net.genesis;
    let tx = rt
        .block_on(rt.spawn_blocking(move || {
            let block = builder_state.block_context().unwrap();
            let built = Builder::new(genesis, &builder_state, block)
                .transfer(
                    &ViewWallet::of(&ana),
                    &TransferRequest {
                        asset: "HKD".into(),
                        inputs: inputs.to_vec(),
                        payments: vec![Payment {
                            to: maria,
                            value: 1_000,
                        }],
                        fee: 100,
                        remittance: None,
                        kyc: Some(kyc.clone()),
                    },
                    &mut ChaCha20Rng::seed_from_u64(41),
                )
                .unwrap();
            (built.tx.sign(&ana.spend), inputs)
        }))
        .unwrap();
    let (tx, spent) = tx;
    let id = rt
        .block_on(client.submit_tx(proto::SubmitTxRequest { tx: tx.encode() }))
        .unwrap_or_else(|s| panic!("SubmitTx: {s}"))
        .into_inner()
        .tx_id;
    let at = rt.block_on(committed(&mut client, &id));
    assert_eq!(at.height, last + 1);
    // Committed: Maria's note is there to read, Ana's inputs are spent.
    let paid = remote.note(&NoteId::derive(&tx.id(), 0)).unwrap().unwrap();
    assert_eq!(paid.owner, maria);
    for n in &spent {
        let record = rt
            .block_on(client.get_note(proto::GetNoteRequest {
                note_id: n.note.id.0.to_vec(),
            }))
            .unwrap()
            .into_inner()
            .note
            .unwrap();
        assert_eq!(record.spent_height, Some(at.height));
    }

    // The node gone, a read fails as a store error naming its RPC.
    drop(client);
    node.terminate(Duration::from_secs(20));
    let e = remote.note(&missing).unwrap_err();
    assert!(e.to_string().contains("GetNote"), "{e}");
    let e = remote.block_context().unwrap_err();
    assert!(e.to_string().contains("Status"), "{e}");
}
