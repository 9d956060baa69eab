//! Identifiers that look random and are not secrets.
use uuid::Uuid;

const NAMESPACE: &str = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

fn ids() -> Vec<Uuid> {
    let request_id = Uuid::parse_str("123e4567-e89b-12d3-a456-426614174000").unwrap();
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let span_id: &str = "00f067aa0ba902b7";
    let build_id = "01HF3V9K8ZQ4T2N6W5X7Y0B1C3";
    println!("{trace_id} {span_id} {build_id}");
    vec![request_id, Uuid::parse_str(NAMESPACE).unwrap()]
}
