public import HTTPTypes

/// Response headers the gateway adds; the access-log middleware reads them back.
public enum GatewayHeaders {
    public static let sid = HTTPField.Name("x-athena-sid")!
    public static let service = HTTPField.Name("x-athena-service")!
    public static let version = HTTPField.Name("x-athena-version")!
    public static let code = HTTPField.Name("x-athena-code")!
}
