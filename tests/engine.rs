//! The engine as a library: a run's future is `Send`, two runs progress at once on one runtime,
//! and a subscriber sees every event in order.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use forge::engine::{Event, RunRequest, RunSettings, StopReason};
use forge::llm::{ClientMode, LlmFlags};
use std::path::Path;
use support::Project;

fn assert_send<T: Send>(_: &T) {}

/// A project whose validator only passes once `peer` exists too: it can converge only while
/// the other run's validator is running.
fn rendezvous_project(meet: &Path, me: &str, peer: &str) -> (Project, std::path::PathBuf) {
    let p = Project::new();
    p.file("src/a.txt", "todo\n");
    let run = format!(
        "touch {dir}/{me}; i=0; while [ ! -f {dir}/{peer} ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; test -f {dir}/{peer} && grep -q done src/a.txt",
        dir = meet.display()
    );
    let contract = p.file(
        "contracts/t.yaml",
        &format!(
            "version: 1\nname: {me}\ntask: |\n  Say done.\nfiles:\n  - src/a.txt\nroot: ..\nvalidators:\n  - name: meet\n    run: {}\n    timeout: 30s\nthreshold: 1.0\nevidence:\n  synthesis: template\n",
            serde_json::to_string(&run).unwrap()
        ),
    );
    let script = p.file(
        "script.jsonl",
        &format!(
            "{}\n",
            serde_json::json!({"response": "### FILE: src/a.txt\n```\ndone\n```\n"})
        ),
    );
    assert!(contract.is_file());
    (p, script)
}

fn request(p: &Project, contract: &Path, script: &Path) -> RunRequest {
    let contract = forge::contract::load(contract, None).unwrap();
    let llm = forge::llm::resolve_settings(&LlmFlags::default(), &contract.llm).unwrap();
    let key_file = p.join("evidence.key");
    std::fs::write(&key_file, [7u8; 32]).unwrap();
    RunRequest {
        settings: RunSettings::from_contract(&contract),
        contract,
        llm,
        mode: ClientMode::Replay(script.to_path_buf()),
        record: None,
        signers: forge::evidence::Signers::new(
            forge::evidence::EvidenceKey::for_signing(Some(&key_file)).unwrap(),
            None,
        ),
        observers: Vec::new(),
        trace_id: Some("trace-1".into()),
        histories: None,
    }
}

#[test]
fn two_runs_progress_concurrently_on_one_runtime() {
    let meet = tempfile::tempdir().unwrap();
    let (a, script_a) = rendezvous_project(meet.path(), "a", "b");
    let (b, script_b) = rendezvous_project(meet.path(), "b", "a");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (ra, rb) = rt.block_on(async {
        let start_a = forge::engine::start(request(&a, &a.join("contracts/t.yaml"), &script_a));
        assert_send(&start_a);
        let ha = start_a.await.unwrap();
        let hb = forge::engine::start(request(&b, &b.join("contracts/t.yaml"), &script_b))
            .await
            .unwrap();
        let wait_a = ha.wait();
        assert_send(&wait_a);
        tokio::join!(wait_a, hb.wait())
    });
    for (name, r) in [("a", ra.unwrap()), ("b", rb.unwrap())] {
        assert_eq!(r.reason, StopReason::Converged, "run {name}: {r:?}");
        assert!(r.evidence.as_deref().is_some_and(Path::is_file), "{r:?}");
    }
}

#[test]
fn a_subscriber_sees_every_event_in_order_and_the_trace_id() {
    let meet = tempfile::tempdir().unwrap();
    std::fs::write(meet.path().join("b"), "").unwrap();
    let (p, script) = rendezvous_project(meet.path(), "a", "b");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (events, outcome) = rt.block_on(async {
        let h = forge::engine::start(request(&p, &p.join("contracts/t.yaml"), &script))
            .await
            .unwrap();
        let (mut seen, mut rx) = h.subscribe();
        let outcome = h.wait().await.unwrap();
        while let Ok(e) = rx.try_recv() {
            seen.push(e);
        }
        (seen, outcome)
    });
    assert_eq!(outcome.reason, StopReason::Converged);
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    assert!(events.iter().all(|e| e.run_id == outcome.run_id));
    match &events[0].event {
        Event::RunStarted { trace_id, .. } => assert_eq!(trace_id.as_deref(), Some("trace-1")),
        other => panic!("first event: {other:?}"),
    }
    assert!(matches!(
        events.last().map(|e| &e.event),
        Some(Event::RunFinished { .. })
    ));
}
