import Foundation

/// Request bodies for the four client protocols, carrying one PNG as the `image` input.
enum ProtocolRequests {
    /// The README request: ASE `POST /v1/private/digits`.
    static func ase(service: String = "digits", png: Data) -> Data {
        json([
            "header": ["app_id": "e2e", "status": 3],
            "parameter": [service: [String: Any]()],
            "payload": ["image": ["encoding": "png", "status": 3, "image": png.base64EncodedString()]],
        ])
    }

    /// ModelArts `POST /v1/infers/digits`, multipart with the image as a file part.
    static func modelArtsMultipart(png: Data, field: String = "image") -> (body: Data, contentType: String) {
        let boundary = "athena-e2e-\(UUID().uuidString)"
        var body = Data()
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"digit.png\"\r\nContent-Type: image/png\r\n\r\n".utf8))
        body.append(png)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    /// KServe v1 `POST /v1/models/digits:predict`.
    static func kserveV1(png: Data) -> Data {
        json(["instances": [["image": ["b64": png.base64EncodedString()]]]])
    }

    /// Open Inference Protocol v2 `POST /v2/models/digits/infer`.
    static func oipV2(png: Data) -> Data {
        json(["inputs": [[
            "name": "image", "shape": [1], "datatype": "BYTES",
            "data": [png.base64EncodedString()], "parameters": ["content_type": "base64"],
        ]]])
    }

    static func json(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }
}
