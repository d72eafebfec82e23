/// The two databases ghlsync runs on, for suites parameterised over both
/// (`@Test(arguments: Engine.allCases)`).
public enum Engine: String, CaseIterable, Sendable {
    case sqlite, postgres
}
