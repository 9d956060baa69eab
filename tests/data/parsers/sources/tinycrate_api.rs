#[test]
fn public_add() {
    assert_eq!(tinycrate::add(40, 2), 42);
}

#[test]
fn public_add_fails() {
    assert_eq!(tinycrate::add(1, 1), 3);
}
