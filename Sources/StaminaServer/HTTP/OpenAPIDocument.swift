/// The OpenAPI 3.1 description of `/v1`, kept by hand next to the routes it describes;
/// `scripts/server/contract-test.sh` checks the running server against it with schemathesis.
enum OpenAPIDocument {
    static let json = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "STAMINA job server",
            "version": "1",
            "description": "Submit PRISM CTMC models and CSL properties; STAMINA computes certified bounds [Pmin, Pmax]."
          },
          "servers": [{"url": "/"}],
          "security": [{"bearer": []}],
          "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "parameters": {
              "JobID": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}
            },
            "responses": {
              "Problem": {
                "description": "An error (RFC 9457 problem details).",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              }
            },
            "schemas": {
              "Problem": {
                "type": "object",
                "required": ["type", "title", "status", "detail"],
                "properties": {
                  "type": {"type": "string"},
                  "title": {"type": "string"},
                  "status": {"type": "integer"},
                  "detail": {"type": "string"},
                  "instance": {"type": "string"},
                  "diagnostics": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": ["file", "line", "column", "message"],
                      "properties": {
                        "file": {"type": "string"}, "line": {"type": "integer"},
                        "column": {"type": "integer"}, "message": {"type": "string"}
                      }
                    }
                  }
                }
              },
              "JobState": {
                "type": "string",
                "enum": ["QUEUED", "RUNNING", "CANCELLING", "SUCCEEDED", "FAILED", "CANCELLED", "PRUNED"]
              },
              "Parameters": {
                "type": "object",
                "required": ["method", "kappa", "reduceKappa", "approxFactor", "window", "maxIterations", "propertyTruncation", "constants"],
                "properties": {
                  "method": {"type": "string", "enum": ["iterative", "reexploring", "priority"]},
                  "kappa": {"type": "number"},
                  "reduceKappa": {"type": "number"},
                  "approxFactor": {"type": "number"},
                  "window": {"type": "number"},
                  "maxIterations": {"type": "integer"},
                  "propertyTruncation": {"type": "boolean"},
                  "constants": {"type": "string"}
                }
              },
              "Job": {
                "type": "object",
                "required": ["id", "name", "state", "failureReason", "failureMessage", "parameters", "modelFile",
                             "propertiesFile", "attempts", "createdAt", "startedAt", "finishedAt", "links"],
                "properties": {
                  "id": {"type": "string"},
                  "name": {"type": "string"},
                  "state": {"$ref": "#/components/schemas/JobState"},
                  "failureReason": {
                    "type": ["string", "null"],
                    "enum": ["TIME_LIMIT", "MEMORY_LIMIT", "INVALID_INPUT", "ENGINE_ERROR", "WORKER_LOST", "INTERNAL", null]
                  },
                  "failureMessage": {"type": ["string", "null"]},
                  "parameters": {"$ref": "#/components/schemas/Parameters"},
                  "modelFile": {"type": "string"},
                  "propertiesFile": {"type": "string"},
                  "attempts": {"type": "integer"},
                  "createdAt": {"type": "string", "format": "date-time"},
                  "startedAt": {"type": ["string", "null"], "format": "date-time"},
                  "finishedAt": {"type": ["string", "null"], "format": "date-time"},
                  "token": {"type": "string", "description": "Only on an anonymous submission: the token that owns the job."},
                  "links": {
                    "type": "object",
                    "properties": {
                      "self": {"type": "string"}, "log": {"type": "string"}, "events": {"type": "string"},
                      "result": {"type": "string"}, "cancel": {"type": "string"}
                    }
                  }
                }
              },
              "JobList": {
                "type": "object",
                "required": ["jobs", "nextCursor"],
                "properties": {
                  "jobs": {"type": "array", "items": {"$ref": "#/components/schemas/Job"}},
                  "nextCursor": {"type": ["string", "null"]}
                }
              },
              "Submission": {
                "type": "object",
                "required": ["model", "properties"],
                "properties": {
                  "name": {"type": "string"},
                  "model": {
                    "description": "The PRISM model text, or {name, content}.",
                    "oneOf": [
                      {"type": "string"},
                      {"type": "object", "required": ["content"],
                       "properties": {"name": {"type": "string"}, "content": {"type": "string"}}}
                    ]
                  },
                  "properties": {
                    "description": "The CSL properties text, or {name, content}.",
                    "oneOf": [
                      {"type": "string"},
                      {"type": "object", "required": ["content"],
                       "properties": {"name": {"type": "string"}, "content": {"type": "string"}}}
                    ]
                  },
                  "method": {"type": "string", "enum": ["iterative", "reexploring", "priority", "-I", "-J", "-P"]},
                  "kappa": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000000},
                  "reduceKappa": {"type": "number", "exclusiveMinimum": 1, "maximum": 1000000},
                  "approxFactor": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000000},
                  "window": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                  "maxIterations": {"type": "integer", "minimum": 1, "maximum": 10000},
                  "propertyTruncation": {"type": "boolean"},
                  "constants": {"type": "string", "description": "e.g. N=10,lambda=0.5"}
                }
              },
              "MultipartSubmission": {
                "type": "object",
                "required": ["model", "properties"],
                "properties": {
                  "name": {"type": "string"},
                  "model": {"type": "string", "contentMediaType": "application/octet-stream"},
                  "properties": {"type": "string", "contentMediaType": "application/octet-stream"},
                  "method": {"type": "string"},
                  "kappa": {"type": "string"},
                  "reduceKappa": {"type": "string"},
                  "window": {"type": "string"},
                  "constants": {"type": "string"}
                }
              }
            }
          },
          "paths": {
            "/v1/jobs": {
              "post": {
                "operationId": "createJob",
                "summary": "Submit a job. The model, properties and parameters are checked now (422 with line and column).",
                "security": [{"bearer": []}, {}],
                "parameters": [{"name": "Idempotency-Key", "in": "header", "required": false, "schema": {"type": "string"}}],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Submission"}},
                    "multipart/form-data": {"schema": {"$ref": "#/components/schemas/MultipartSubmission"}}
                  }
                },
                "responses": {
                  "202": {
                    "description": "Accepted; poll Location.",
                    "headers": {
                      "Location": {"schema": {"type": "string"}},
                      "Retry-After": {"schema": {"type": "string"}}
                    },
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}
                  },
                  "400": {"$ref": "#/components/responses/Problem"},
                  "413": {"$ref": "#/components/responses/Problem"},
                  "422": {"$ref": "#/components/responses/Problem"},
                  "429": {"$ref": "#/components/responses/Problem"},
                  "default": {"$ref": "#/components/responses/Problem"}
                }
              },
              "get": {
                "operationId": "listJobs",
                "summary": "The caller's jobs (an admin token sees all), newest first.",
                "parameters": [
                  {"name": "state", "in": "query", "schema": {"$ref": "#/components/schemas/JobState"}},
                  {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
                  {"name": "cursor", "in": "query", "schema": {"type": "string", "pattern": "^[1-9][0-9]{0,17}$"}}
                ],
                "responses": {
                  "200": {"description": "A page of jobs.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobList"}}}},
                  "default": {"$ref": "#/components/responses/Problem"}
                }
              }
            },
            "/v1/jobs/{id}": {
              "parameters": [{"$ref": "#/components/parameters/JobID"}],
              "get": {
                "operationId": "getJob",
                "responses": {
                  "200": {"description": "The job.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
                  "default": {"$ref": "#/components/responses/Problem"}
                }
              },
              "patch": {
                "operationId": "renameJob",
                "requestBody": {
                  "required": true,
                  "content": {"application/json": {"schema": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}}
                },
                "responses": {
                  "200": {"description": "The renamed job.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
                  "400": {"$ref": "#/components/responses/Problem"},
                  "413": {"$ref": "#/components/responses/Problem"},
                  "default": {"$ref": "#/components/responses/Problem"}
                }
              },
              "delete": {
                "operationId": "deleteJob",
                "summary": "Stops the job if it runs and deletes it with its files.",
                "responses": {
                  "204": {"description": "Deleted."},
                  "default": {"$ref": "#/components/responses/Problem"}
                }
              }
            },
            "/v1/jobs/{id}/cancel": {
              "parameters": [{"$ref": "#/components/parameters/JobID"}],
              "post": {
                "operationId": "cancelJob",
                "responses": {
                  "202": {"description": "CANCELLED (was queued) or CANCELLING (was running).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
                  "default": {"$ref": "#/components/responses/Problem"}
                }
              }
            },
            "/v1/jobs/{id}/log": {
              "parameters": [{"$ref": "#/components/parameters/JobID"}],
              "get": {
                "operationId": "getJobLog",
                "parameters": [{"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}}],
                "responses": {
                  "200": {
                    "description": "The plain log from the byte offset; X-Next-Offset is where the next read starts.",
                    "headers": {"X-Next-Offset": {"schema": {"type": "string"}}},
                    "content": {"text/plain": {"schema": {"type": "string"}}}
                  },
                  "default": {"$ref": "#/components/responses/Problem"}
                }
              }
            },
            "/v1/jobs/{id}/result": {
              "parameters": [{"$ref": "#/components/parameters/JobID"}],
              "get": {
                "operationId": "getJobResult",
                "responses": {
                  "200": {"description": "The engine's result object plus the run's resources.", "content": {"application/json": {"schema": {"type": "object"}}}},
                  "default": {"$ref": "#/components/responses/Problem"}
                }
              }
            },
            "/v1/jobs/{id}/artifacts/{name}": {
              "parameters": [
                {"$ref": "#/components/parameters/JobID"},
                {"name": "name", "in": "path", "required": true, "schema": {"type": "string", "enum": ["transitions.txt", "model.drn"]}}
              ],
              "get": {
                "operationId": "getJobArtifact",
                "responses": {
                  "200": {"description": "The exported truncated model.", "content": {"text/plain": {"schema": {"type": "string"}}}},
                  "default": {"$ref": "#/components/responses/Problem"}
                }
              }
            },
            "/v1/jobs/{id}/events": {
              "parameters": [
                {"$ref": "#/components/parameters/JobID"},
                {"name": "Last-Event-ID", "in": "header", "required": false, "schema": {"type": "string"}}
              ],
              "get": {
                "operationId": "streamJobEvents",
                "summary": "Server-Sent Events: state, log, round (per refinement iteration), property; ends when the job is terminal.",
                "responses": {
                  "200": {"description": "An event stream.", "content": {"text/event-stream": {}}},
                  "default": {"$ref": "#/components/responses/Problem"}
                }
              }
            },
            "/v1/about": {
              "get": {
                "operationId": "about",
                "security": [{"bearer": []}, {}],
                "responses": {
                  "200": {
                    "description": "Versions, methods and job limits; with the admin token also every configuration value with its default and the engine's path.",
                    "content": {"application/json": {"schema": {"type": "object", "required": ["version", "apiVersion", "limits", "methods"]}}}
                  },
                  "default": {"$ref": "#/components/responses/Problem"}
                }
              }
            },
            "/healthz": {
              "get": {
                "operationId": "health", "security": [{}],
                "responses": {
                  "200": {"description": "Alive.", "content": {"application/json": {"schema": {"type": "object"}}}},
                  "default": {"$ref": "#/components/responses/Problem"}
                }
              }
            },
            "/readyz": {
              "get": {
                "operationId": "ready", "security": [{}],
                "responses": {
                  "200": {"description": "Ready to accept jobs: the store and the data directory accepted a write just now.", "content": {"application/json": {"schema": {"type": "object"}}}},
                  "503": {"$ref": "#/components/responses/Problem"},
                  "default": {"$ref": "#/components/responses/Problem"}
                }
              }
            },
            "/metrics": {
              "get": {
                "operationId": "metrics",
                "summary": "Needs the admin token or the metrics token (setting metrics-token).",
                "responses": {
                  "200": {"description": "Prometheus text format.", "content": {"text/plain": {"schema": {"type": "string"}}}},
                  "default": {"$ref": "#/components/responses/Problem"}
                }
              }
            }
          }
        }
        """#
}
