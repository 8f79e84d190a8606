extension Duration {
    /// The duration in milliseconds, fractions kept (how reports and the inspector show durations).
    public var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
