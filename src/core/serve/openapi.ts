// The OpenAPI 3.0 description of `ich serve`, served at GET /openapi.json. docs/openapi.yaml is
// this document in YAML (test/serve/openapi.test.ts keeps the two equal).
const probabilities = {
  type: "object",
  description: "Sigmoid probability per label the model predicts (all six: any, epidural, intraparenchymal, intraventricular, subarachnoid, subdural; or only any).",
  additionalProperties: { type: "number", minimum: 0, maximum: 1 },
  example: { any: 0.12, epidural: 0.01, intraparenchymal: 0.03, intraventricular: 0.02, subarachnoid: 0.05, subdural: 0.07 },
};

const model = {
  type: "object",
  required: ["id", "labels", "inputSize", "channels", "windows"],
  properties: {
    id: { type: "string", description: "Run id of the served model." },
    architecture: { type: "string" },
    labels: { type: "array", items: { type: "string" } },
    inputSize: { type: "integer", description: "Side in pixels of the square model input." },
    channels: { type: "integer" },
    windows: { type: "array", items: { type: "string" } },
  },
};

const engine = {
  type: "object",
  required: ["name", "device"],
  properties: {
    name: { type: "string", enum: ["onnx", "tfjs"] },
    device: { type: "string", example: "CPU (ONNX Runtime 1.30.0, 2 intra-op threads)" },
    usedProviders: { type: "array", nullable: true, items: { type: "string" }, description: "ONNX Runtime execution providers that ran the model's nodes (from ORT's profile), null when not checked." },
  },
};

const tta = {
  description: "Test-time augmentation: the views whose probabilities are averaged per slice, as the run's eval.tta and `ich predict --json`'s tta. false: the image only; true: the image and its left-right mirror; an object: the image, its mirror unless flip is false, one rotation per angle (degrees) and one zoom per factor. Default: the run's eval.tta (ich serve --tta / --no-tta override it).",
  oneOf: [
    { type: "boolean" },
    {
      type: "object",
      properties: {
        flip: { type: "boolean" },
        rotate: { type: "array", items: { type: "number" } },
        zoom: { type: "array", items: { type: "number" } },
      },
    },
  ],
  example: { flip: true, rotate: [-10, 10], zoom: [1.1] },
};

const slice = {
  type: "object",
  required: ["part", "probabilities"],
  properties: {
    part: { type: "string", description: "\"body\" for a single slice; the part's filename, name, Content-Location or \"part N\" in a multipart request." },
    sopInstanceUid: { type: "string" },
    studyUid: { type: "string" },
    seriesUid: { type: "string" },
    probabilities,
  },
};

const error = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["status", "code", "message"],
      properties: {
        status: { type: "integer" },
        code: { type: "string", description: "not-dicom, truncated, corrupt, not-ct, empty, unsupported-transfer-syntax, decode-failed, too-large, unsupported-media-type, bad-multipart, queue-full, not-found, method-not-allowed, …" },
        message: { type: "string", description: "What is wrong, naming the part." },
      },
    },
  },
};

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });

export const openApiDocument = {
  openapi: "3.0.3",
  info: {
    title: "ICH Lab model server (ich serve)",
    version: "1",
    description: "Intracranial-hemorrhage probabilities for head-CT DICOM slices from one trained ICH Lab run. Research tool, not for diagnosis.",
  },
  servers: [{ url: "http://127.0.0.1:8765" }],
  paths: {
    "/healthz": {
      get: {
        summary: "Liveness, the model, the engine and the test-time augmentation",
        responses: {
          "200": {
            description: "The server is up (status \"shutting-down\" after SIGTERM).",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["status", "model", "engine", "tta", "queue"],
                  properties: {
                    status: { type: "string", enum: ["ok", "shutting-down"] },
                    model: { $ref: "#/components/schemas/Model" },
                    engine: { $ref: "#/components/schemas/Engine" },
                    tta: { $ref: "#/components/schemas/Tta" },
                    queue: { type: "object", properties: { admitted: { type: "integer" }, max: { type: "integer" } } },
                    served: { type: "object", properties: { batches: { type: "integer" }, slices: { type: "integer" } } },
                  },
                },
              },
            },
          },
        },
      },
    },
    "/openapi.json": { get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.0 document", content: { "application/json": { schema: { type: "object" } } } } } } },
    "/v1/predict": {
      post: {
        summary: "Predict one slice, or a study of slices",
        description: "One CT slice as the body (application/dicom), or several as one multipart/related (type=\"application/dicom\") or multipart/form-data request, one DICOM file per part. A study can also go as several single-slice requests.",
        requestBody: {
          required: true,
          content: {
            "application/dicom": { schema: { type: "string", format: "binary" } },
            "multipart/related": { schema: { type: "string", format: "binary" } },
            "multipart/form-data": { schema: { type: "object", additionalProperties: { type: "string", format: "binary" } } },
          },
        },
        responses: {
          "200": {
            description: "Probabilities. A single slice answers with its fields at the top level; a multipart request with `slices` and the per-label maximum over them in `study`.",
            content: {
              "application/json": {
                schema: {
                  oneOf: [
                    { allOf: [{ $ref: "#/components/schemas/Slice" }, { type: "object", required: ["model", "engine", "timeMs"], properties: { model: { $ref: "#/components/schemas/Model" }, engine: { $ref: "#/components/schemas/Engine" }, timeMs: { type: "number", description: "Server time for the request, from its arrival to the answer (ms)." } } }] },
                    {
                      type: "object",
                      required: ["model", "engine", "slices", "study", "timeMs"],
                      properties: {
                        model: { $ref: "#/components/schemas/Model" },
                        engine: { $ref: "#/components/schemas/Engine" },
                        slices: { type: "array", items: { $ref: "#/components/schemas/Slice" } },
                        study: { type: "object", properties: { slices: { type: "integer" }, probabilities } },
                        timeMs: { type: "number" },
                      },
                    },
                  ],
                },
              },
            },
          },
          "400": errorResponse("A malformed multipart body, or a request the client abandoned."),
          "404": errorResponse("No such route."),
          "405": errorResponse("Wrong method."),
          "413": errorResponse("The body is larger than the server's limit (ich serve --max-body-mb)."),
          "415": errorResponse("Content-Type is not application/dicom, multipart/related or multipart/form-data, or a part is not application/dicom."),
          "422": errorResponse("A body or part that is not DICOM, is truncated or corrupt, is not a grayscale CT slice, or cannot be decoded; the message names the part."),
          "503": { ...errorResponse("The request queue is full; retry after the Retry-After header's seconds."), headers: { "Retry-After": { schema: { type: "integer" } } } },
        },
      },
    },
  },
  components: { schemas: { Model: model, Engine: engine, Tta: tta, Slice: slice, Error: error } },
} as const;
