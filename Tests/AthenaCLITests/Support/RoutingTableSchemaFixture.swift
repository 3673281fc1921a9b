import AthenaAPI
import KubeModel

/// A digits-like schema for the validator's unit tests.
enum RoutingTableSchemaFixture {
    static let digits = RoutingTableSchema(
        payload: .object([
            "type": .string("object"),
            "required": .array([.string("image")]),
            "properties": .object([
                "image": .object([
                    "type": .string("object"),
                    "properties": .object([
                        "encoding": .object(["type": .string("string"), "enum": .array([.string("png"), .string("jpg")])]),
                        "image": .object(["type": .string("string")]),
                        "status": .object(["type": .string("integer")]),
                    ]),
                ]),
            ]),
        ]))
}
