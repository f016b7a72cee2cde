extension Client {
    /// Redis `authRequired(c)`: the connection has not authenticated and the default user needs a
    /// password, so the stricter pre-authentication protocol limits apply (multibulk length ≤ 10,
    /// bulk length ≤ 16384). One branch for an authenticated client.
    public var requiresAuthentication: Bool {
        !authenticated && aclRestricted && context.acl.defaultUserNeedsPassword
    }
}
