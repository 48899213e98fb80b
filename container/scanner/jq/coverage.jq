# Reading what Clair saw in an image (Clair's v1 API, ../shared/reference/coverage-and-clair-api.md),
# so that an image Clair could not read never passes as clean. Each function reads raw text
# (a body as the server sent it) and fails with error(message) on anything unexpected.

# The JSON in a raw body, or error("<what> is not JSON"). The try is collected into an array so
# that jq 1.6 cannot route an error raised later in the pipeline to its catch (fixed in jq 1.7).
def parse($what): [try fromjson catch error("\($what) is not JSON")] | .[0];

def docker_manifest: "application/vnd.docker.distribution.manifest.v2+json";

# klar's name for the layer it asks Clair about, from the image's manifest (raw text) and the
# Content-Type the registry sent: <config digest hex><last layer digest hex>, without "sha256:".
def layer_name($content_type):
  parse("the manifest")
  | if type != "object" then error("the manifest is not a JSON object") else . end
  | (.mediaType // $content_type // "") as $type
  | if $type == "application/vnd.oci.image.manifest.v1+json" then
      error("the image has an OCI manifest, which klar v2.4.0 cannot read; push it as Docker schema 2")
    elif $type | IN("application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.oci.image.index.v1+json") then
      error("the image is a manifest list (\($type)), which klar v2.4.0 cannot read; scan one platform's image by its digest")
    elif $type != docker_manifest or .schemaVersion != 2 then
      error("the manifest is not Docker schema 2 (media type \($type | tojson))")
    elif (.config.digest | type) != "string" or (.config.digest | test("^sha256:[0-9a-f]{64}$") | not) then
      error("the manifest has no sha256 config digest")
    elif (.layers | type) != "array" or .layers == [] then
      error("the manifest has no layers")
    elif (.layers[-1].digest | type) != "string" or (.layers[-1].digest | test("^sha256:[0-9a-f]{64}$") | not) then
      error("the manifest's last layer has no sha256 digest")
    else (.config.digest | ltrimstr("sha256:")) + (.layers[-1].digest | ltrimstr("sha256:"))
    end;

# What Clair found in a layer (the raw body of GET /v1/layers/<name>?features):
# {os: the layer's namespace or null, packages: how many, namespaces: those of the packages}.
def layer_contents:
  parse("Clair's layer answer")
  | if (.Layer | type) != "object" then error("Clair's layer answer has no Layer object") else .Layer end
  | if (.Features // []) | (type == "array" and all(.[]; type == "object")) then . else
      error("Clair's layer answer has Features that are not a list of objects") end
  | .NamespaceName as $os
  | {os: $os, packages: (.Features // [] | length),
     namespaces: ([.Features // [] | .[] | .NamespaceName // $os | select(. != null)] | unique)};

# Whether Clair holds vulnerability data for a namespace, from the HTTP status and raw body of
# GET /v1/namespaces/<ns>/vulnerabilities?limit=1: 404 (unknown), null and [] mean none.
def has_data($status):
  if $status == "404" then false
  elif $status != "200" then error("HTTP \($status)")
  else parse("the answer")
    | if type == "object" and (.Vulnerabilities | type) == "array" then .Vulnerabilities != []
      elif type == "object" and has("Vulnerabilities") and .Vulnerabilities == null then false
      else error("no Vulnerabilities list") end
  end;

# The coverage report: the layer's contents plus the reasons it is not covered ([] when covered).
# $answers: {"<namespace>": {status, body}} for every namespace of the packages.
def coverage($answers):
  layer_contents
  | . + {gaps: (if .os == null then ["no operating system detected"]
                elif .packages == 0 then ["no packages found"]
                else [.namespaces[] as $ns
                      | [try ($answers[$ns] as $a | $a.body | has_data($a.status))
                         catch error("Clair's answer for namespace \($ns): \(.)")][0]
                      | select(. == false) | "no vulnerability data for \($ns)"]
                end)};
