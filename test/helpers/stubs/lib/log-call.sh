# shellcheck shell=sh
# Sourced by the stubs to log each call as one JSON line, built in the shell because jq starts
# slowly and this runs on every call. POSIX sh, so that the stub klar can run in dash (it runs on
# every scan, and dash starts in a fraction of bash's time); the stub aws (bash) sources it too.
# Its variables are prefixed by function (_js_, _ja_, _lc_): POSIX sh has no `local`.

_log_nl='
'
_log_tab='	'

# json_string VAR VALUE: sets VAR to VALUE as a JSON string (\, ", newline and tab escaped).
json_string() {
  _js_rest=$2 _js_out=
  while :; do
    case $_js_rest in
      *[\"\\"$_log_nl$_log_tab"]*) ;;
      *) break ;;
    esac
    # The text before the first character to escape, then that character, escaped.
    _js_pre=${_js_rest%%[\"\\"$_log_nl$_log_tab"]*}
    _js_rest=${_js_rest#"$_js_pre"}
    case $_js_rest in
      \\*) _js_out="$_js_out$_js_pre\\\\" ;;
      \"*) _js_out="$_js_out$_js_pre\\\"" ;;
      "$_log_nl"*) _js_out="$_js_out$_js_pre\\n" ;;
      *) _js_out="$_js_out$_js_pre\\t" ;;
    esac
    _js_rest=${_js_rest#?}
  done
  _js_out="\"$_js_out$_js_rest\""
  eval "$1=\$_js_out"
}

# json_array VAR VALUE...: sets VAR to the VALUEs as a JSON list of strings.
json_array() {
  _ja_var=$1 _ja_list=
  shift
  for _ja_item in "$@"; do
    json_string _ja_item "$_ja_item"
    _ja_list="$_ja_list${_ja_list:+,}$_ja_item"
  done
  _ja_list="[$_ja_list]"
  eval "$_ja_var=\$_ja_list"
}

# log_call FILE FIELD...: appends a JSON object to FILE. A FIELD is NAME:=JSON (taken as is),
# NAME=VALUE (a string), or NAME alone (that environment variable, or null when unset).
log_call() {
  _lc_file=$1 _lc_line=
  shift
  for _lc_field in "$@"; do
    case $_lc_field in
      *:=*)
        _lc_name=${_lc_field%%:=*}
        _lc_value=${_lc_field#*:=}
        ;;
      *=*)
        _lc_name=${_lc_field%%=*}
        json_string _lc_value "${_lc_field#*=}"
        ;;
      *)
        _lc_name=$_lc_field
        if eval "[ \"\${$_lc_field+set}\" = set ]"; then
          eval "json_string _lc_value \"\$$_lc_field\""
        else
          _lc_value=null
        fi
        ;;
    esac
    _lc_line="$_lc_line${_lc_line:+,}\"$_lc_name\":$_lc_value"
  done
  printf '{%s}\n' "$_lc_line" >>"$_lc_file"
}
