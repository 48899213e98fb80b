# Validates an allowlist (the YAML documents of the file, slurped) and prints, each ended by a NUL:
# the problems found ("" when none), the entries as JSON ({allow: [...], unscannable: [...]}),
# and klar's whitelist YAML.
# `allow:` entries allow a finding; `unscannable:` entries waive coverage for one image that Clair
# cannot read (an image with no OS); they never allow a finding.
# Arguments: $today (YYYY-MM-DD, UTC) and $path_re (a repository path without registry or tag).
#
# The allowlist is judged as a whole: one malformed entry rejects the file, so that a typo never
# silently allows, or silently stops allowing, anything.

def valid_date: type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
  and (. as $d | try (strptime("%Y-%m-%d") | mktime | strftime("%Y-%m-%d") == $d) catch false);

def has_reason_and_expiry:
  (if (.reason | type) == "string" and (.reason | test("\\S")) then []
   else ["needs a non-empty reason"] end)
  + (if .expires | valid_date then []
     else ["needs expires as a valid date YYYY-MM-DD"] end);

def repository_path: type == "string" and test("^" + $path_re + "$");

# unknown_keys(KEYS): a problem for each key of an entry that is not one of KEYS.
def unknown_keys($allowed): [keys[] | select(IN($allowed[]) | not) | "has unknown key \"\(.)\""];

def allow_problems:
  if type != "object" then ["is not a mapping"]
  else
    unknown_keys(["id", "image", "reason", "expires"])
    + (if (.id | type) == "string" and (.id | test("^\\S+$")) then []
       else ["needs an id (a vulnerability name without spaces)"] end)
    + (if has("image") | not then []
       elif .image | repository_path then []
       else ["has an image that is not a repository path (no registry, no tag)"] end)
    + has_reason_and_expiry
  end;

# Every image of an account's CDK asset repository shares its name: a waiver without a digest
# would waive them all.
def cdk_asset_repository: test("^cdk-[a-z0-9]+-container-assets-[0-9]{12}-[a-z0-9-]+$");

def unscannable_problems:
  if type != "object" then ["is not a mapping"]
  else
    unknown_keys(["image", "digest", "reason", "expires"])
    + (if .image | repository_path then []
       else ["needs an image: a repository path (no registry, no tag)"] end)
    + (if has("digest") | not then
         (if (.image | repository_path) and (.image | cdk_asset_repository)
          then ["needs a digest: \(.image) is a CDK asset repository, where one entry would waive every image"]
          else [] end)
       elif (.digest | type) == "string" and (.digest | test("^sha256:[0-9a-f]{64}$")) then []
       else ["has a digest that is not sha256:<64 hex>"] end)
    + has_reason_and_expiry
  end;

# klar's whitelist format (general: names; images: repository -> names) for the unexpired entries,
# written with JSON-quoted scalars, which YAML reads as they are.
def klar_whitelist:
  map(select(.expired | not)) as $live
  | ([$live[] | select(.image == null) | .id] | unique) as $general
  | ($live | map(select(.image != null)) | group_by(.image)) as $images
  | ["general:" + (if $general == [] then " []" else "" end)]
    + [$general[] | "  - \(tojson)"]
    + ["images:" + (if $images == [] then " {}" else "" end)]
    + [$images[] | "  \(.[0].image | tojson):", (map(.id) | unique | .[] | "    - \(tojson)")]
  | join("\n") + "\n";

def lists: ["allow", "unscannable"];

(if length != 1 then ["must be exactly one YAML document"]
 elif (.[0] | type) != "object" or (.[0] | keys) == [] or any(.[0] | keys[]; IN(lists[]) | not)
   or any(.[0][]; type != "array")
 then ["must be a mapping with the keys \"allow\" and/or \"unscannable\", each holding a list"]
 else [(.[0].allow // [] | to_entries[] | .key as $i | (.value | allow_problems[]) | "entry \($i + 1) \(.)"),
       (.[0].unscannable // [] | to_entries[] | .key as $i | (.value | unscannable_problems[])
        | "unscannable entry \($i + 1) \(.)")]
 end) as $problems
| if $problems != [] then ($problems | join("; ")) + "\u0000\u0000\u0000"
  else
    [.[0].allow // [] | .[] | {id, image, reason, expires, expired: (.expires < $today)}] as $allow
    | {allow: $allow,
       unscannable: [.[0].unscannable // [] | .[] | {image, digest, reason, expires, expired: (.expires < $today)}]}
    | "\u0000" + tojson + "\u0000" + ($allow | klar_whitelist) + "\u0000"
  end
