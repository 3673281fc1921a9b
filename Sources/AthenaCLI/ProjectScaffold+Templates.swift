// The source files of a scaffolded project. Kept as plain string templates so a user can read
// exactly what `athena init` writes.

extension ProjectScaffold {
    // MARK: - AIGES style

    /// `wrapper.py` against the AIGES SDK surface (`aiges.sdk`, `aiges.dto`), which athena-wrapper
    /// provides: the same file runs under the AIGES loader.
    var aigesWrapper: String {
        """
        #!/usr/bin/env python
        # coding:utf-8
        \"\"\"
        \(name): an inference wrapper in AIGES style, served by Athena Serving.

        Serve it locally:  athena serve .
        Call it:           athena call http://127.0.0.1:1888/v1/private/\(name) --param mode=upper --file text=@test_data/input.txt
        \"\"\"

        import json

        from aiges.dto import Response, ResponseData, DataListCls
        from aiges.sdk import WrapperBase, StringParamField, StringBodyField
        from aiges.utils.log import log

        ########
        # Import your inference libraries here (and list them in requirements.txt), e.g.:
        # import numpy
        ########

        # Error codes your wrapper returns; wrapperError turns them into messages.
        # 30400-30499 mean "bad input" (HTTP 400); other codes are server faults (HTTP 500).
        ERR_EMPTY_TEXT = 30400
        ERR_BAD_MODE = 30401


        class UserRequest(object):
            # Attributes named params* are the request's `parameter.<service>` section (engine switches);
            # attributes named input* are its `payload` section (base64 data on the wire).
            params_mode = StringParamField(key="mode", enums=["upper", "lower"], value="upper")
            input_text = StringBodyField(key="text", value="Hello from Athena Serving")


        class UserResponse(object):
            # Attributes named accept* are the response's `payload` section; JSON results are text fields.
            accept_result = StringBodyField(key="result")


        class Wrapper(WrapperBase):
            serviceId = "\(name)"
            version = "v1"
            requestCls = UserRequest()
            responseCls = UserResponse()

            def wrapperInit(self, config: {}) -> int:
                # Load your model here: it runs once per engine worker.
                log.info("\(name): init with %s" % config)
                return 0

            def wrapperOnceExec(self, params: {}, reqData: DataListCls) -> Response:
                # Called for every request, possibly concurrently.
                item = reqData.get("text")
                if item is None or not item.data:
                    return Response().response_err(ERR_EMPTY_TEXT)
                mode = params.get("mode", "upper")
                if mode not in ("upper", "lower"):
                    return Response().response_err(ERR_BAD_MODE)
                text = item.data.decode("utf-8", errors="replace").strip()
                converted = text.upper() if mode == "upper" else text.lower()
                result = json.dumps({"text": converted, "words": len(text.split()), "chars": len(text)})

                out = ResponseData()
                out.key = "result"
                out.data = result.encode("utf-8")
                out.len = len(out.data)
                out.status = 3
                out.type = 0
                response = Response()
                response.list = [out]
                return response

            def wrapperFini(self) -> int:
                return 0

            def wrapperError(self, ret: int) -> str:
                if ret == ERR_EMPTY_TEXT:
                    return "payload 'text' is empty"
                if ret == ERR_BAD_MODE:
                    return "parameter 'mode' must be 'upper' or 'lower'"
                return ""


        if __name__ == '__main__':
            m = Wrapper()
            m.run()

        """
    }

    // MARK: - ModelArts style

    /// `model/config.json`: the ModelArts model configuration; `apis` is the request/response schema.
    var modelArtsConfig: String {
        """
        {
          "model_algorithm": "text_processing",
          "model_type": "MindSpore",
          "runtime": "python3.10",
          "apis": [
            {
              "protocol": "http",
              "url": "/",
              "method": "post",
              "request": {
                "Content-type": "application/json",
                "data": {
                  "type": "object",
                  "properties": {
                    "text": {"type": "string"},
                    "mode": {"type": "string", "enum": ["upper", "lower"]}
                  },
                  "required": ["text"]
                }
              },
              "response": {
                "Content-type": "application/json",
                "data": {
                  "type": "object",
                  "properties": {
                    "text": {"type": "string"},
                    "words": {"type": "integer"},
                    "chars": {"type": "integer"}
                  }
                }
              }
            }
          ],
          "dependencies": []
        }

        """
    }

    /// `model/customize_service.py`: a ModelArts service class, unchanged from what ModelArts runs.
    var modelArtsService: String {
        """
        # coding:utf-8
        # \(name): a ModelArts-style inference service, served by Athena Serving.
        #   athena serve .        then
        #   curl -d '{"text": "hello", "mode": "upper"}' -H 'Content-Type: application/json' http://127.0.0.1:1888/v1/infers/\(name)

        from model_service.model_service import SingleNodeService


        class TextService(SingleNodeService):
            # data arrives as ModelArts gives it: a dict from the JSON body
            # (multipart requests give {field: {filename: file}}).

            def _preprocess(self, data):
                text = str(data.get("text", ""))
                mode = data.get("mode", "upper")
                return {"text": text, "mode": mode}

            def _inference(self, data):
                text = data["text"]
                converted = text.upper() if data["mode"] == "upper" else text.lower()
                return {"text": converted, "words": len(text.split()), "chars": len(text)}

            def _postprocess(self, data):
                return data

        """
    }

    // MARK: - Image

    /// A Dockerfile that installs the SDK and runs the engine server on the engine port.
    var dockerfile: String {
        let app = style == .aiges ? "/app" : "/app/model"
        return """
        # The engine image for \(name). The Athena gateway runs next to it as a sidecar and talks to it
        # over gRPC on port 50051 (spec.runtime.port in deploy/aiapplication.yaml).
        FROM python:3.11-slim
        WORKDIR /app
        COPY requirements.txt .
        # athena-wrapper is the Athena Python SDK (sdk/python in the Athena repository).
        RUN pip install --no-cache-dir athena-wrapper -r requirements.txt
        COPY . .
        EXPOSE 50051
        CMD ["python", "-m", "athena_wrapper.serve", "--app", "\(app)", "--listen", "0.0.0.0:50051"]

        """
    }
}
