//! `corridor demo`: the HKD→PHP remittance end to end on an in-process ledger, with real proofs.
use anyhow::{bail, Result};
use corridor::demo::{amounts, run_remittance};
use corridor_core::state::PublicState;
use corridor_verifier::KycStatus;

fn money(cents: u128) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Runs the demo with every key and random choice derived from `seed`, printing each step and
/// the balances each owner decrypts.
pub fn run(seed: u64) -> Result<()> {
    println!("Corridor remittance demo (seed {seed}): every proof real, every step verified.");
    eprintln!(
        "note: KYC proofs use dev-seed Groth16 parameters (seed {}): anyone who knows the seed can \
         forge them; for dev networks only.",
        corridor::network::DEV_PARAMS_SEED
    );
    println!(
        "Onboarding Maria, Ana (HK) and Juan (PH): credential enrolled, KYC root published, \
         address registered with a Groth16 proof (Rosa's onboarding is the chain's last two \
         steps).\n"
    );
    let report = run_remittance(seed, &mut |s| {
        let kyc = match s.kyc {
            KycStatus::NotRequired => "institution, no KYC",
            KycStatus::Verified => "customer, KYC Groth16 proof verified",
        };
        println!(
            "  ✓ {:<44} tx {}  {:>6} B  prove {:>7.1} ms  verify {:>6.1} ms  [{kyc}]",
            s.name.label(),
            s.tx.id().short(),
            s.tx.encode().len(),
            s.build.as_secs_f64() * 1e3,
            s.verify.as_secs_f64() * 1e3,
        );
    })?;
    let net = &report.network;
    println!("\nBalances (decrypted by each owner):");
    let rows = [
        ("Maria (HK customer)", &report.maria, "HKD"),
        ("Ana (HK customer)", &report.ana, "HKD"),
        ("Juan (PH customer)", &report.juan, "PHP"),
        ("PH wallet settlement", &net.inst.ph_settlement, "HKD"),
        ("PH wallet float", &net.inst.ph_float, "PHP"),
        ("HKD treasury", &net.inst.hkd_treasury, "HKD"),
        ("PHP treasury", &net.inst.php_treasury, "PHP"),
    ];
    for (who, keys, asset) in rows {
        println!(
            "  {who:<22} {asset} {:>14}",
            money(net.balance(keys, asset))
        );
    }
    println!(
        "\nJuan received PHP {} for HKD {} at {}/{} (operator keeps remainder {}/{} centavo).",
        money(u128::from(report.payout)),
        money(u128::from(amounts::REMIT)),
        amounts::QUOTE_NUM,
        amounts::QUOTE_DEN,
        report.fx_remainder,
        amounts::QUOTE_DEN
    );
    // The regulators: the HKMA audits the remittance's amount, and the escrow key opens its
    // KYC escrow to the sender's identity commitment (de-anonymisation, when entitled).
    let remittance = report
        .steps
        .iter()
        .find(|s| corridor::demo::is_remittance(&s.tx))
        .ok_or_else(|| anyhow::anyhow!("no remittance step"))?;
    let note_id = corridor_core::tx::NoteId::derive(&remittance.tx.id(), 0);
    let note = net
        .state
        .note(&note_id)
        .ok()
        .flatten()
        .ok_or_else(|| anyhow::anyhow!("the remittance note is not on the ledger"))?;
    let audited = net
        .audit(&note, 0, &net.inst.hkma)
        .ok_or_else(|| anyhow::anyhow!("the HKMA cannot decrypt the remittance"))?;
    let kyc = remittance
        .tx
        .body()
        .kyc()
        .ok_or_else(|| anyhow::anyhow!("the remittance carries no KYC section"))?;
    let escrow = corridor_circuits::EscrowCiphertext {
        r: corridor_circuits::EscrowCiphertext::r_from_bytes(&kyc.escrow_r)?,
        c: corridor_circuits::fr_from_bytes(&kyc.escrow_c.0, "escrow_c")?,
    };
    let sender = net.inst.escrow.decrypt(&escrow);
    let is_maria = sender == net.kyc_credential(&report.maria)?.credential.id_commit();
    println!(
        "HKMA audits the remittance note: HKD {}. The regulators' escrow key opens its KYC \
         escrow to {} id_commit.",
        money(u128::from(audited)),
        if is_maria { "Maria's" } else { "an unexpected" }
    );
    if !is_maria || audited != amounts::REMIT {
        bail!("the regulators' view does not match the remittance");
    }
    let expected_juan = u128::from(report.payout - amounts::JUAN_BURN - amounts::JUAN_BURN_FEE);
    if net.balance(&report.juan, "PHP") != expected_juan {
        bail!("Juan's balance does not match the payout");
    }
    Ok(())
}
