/** The CLI's help text (`outbound-http --help`). */
export const USAGE = `Usage:
  outbound-http route <url> [--purpose P] [--config FILE] [--json]
  outbound-http get <url> [--purpose P] [--config FILE] [--output FILE] [--max-bytes N]

Shows how the homeserver's outbound HTTP would reach <url> (route), or fetches it the same way (get).

Commands:
  route   Print the route a request would take: proxy (forward for http://, tunnel for https://), direct,
          or blocked (an IP literal refused by the IP policy). No DNS, no connection. A direct route to a
          name is still checked against the IP policy when a request connects.
  get     Fetch <url> through the route the homeserver would use and write the body to --output, or to
          stdout. Redirects are followed and each hop is routed again.

Options:
  --purpose P     Why the request is made; decides proxying and the IP policy. One of: federation,
                  media_redirect, push, url_preview, oidc, cas, recaptcha, phone_home, key_revocation,
                  appservice, identity_server, replication. Default: url_preview (fetching a URL on a
                  user's behalf: proxied for http and https, SSRF-checked).
  --config FILE   homeserver.yaml to read. Default: $HOMESERVER_CONFIG, else built-in defaults. The proxy
                  environment variables (http_proxy, https_proxy, no_proxy, in either case) apply in
                  every case; YAML keys win over them.
  --json          route: print one JSON object {url, purpose, route, mode, proxy, connect, reason}, the
                  proxy URL with its password redacted.
  --output FILE   get: write the body to FILE (written to a temporary file, renamed when complete).
  --max-bytes N   get: fail with ERR_RESPONSE_TOO_LARGE if the body is larger than N bytes.
  -h, --help      Show this help.

A failing command exits with status 1 (2 for usage errors) and prints "CODE: message" on stderr.
Error codes are documented in docs/errors.md of @homeserver/outbound-http.
`;
