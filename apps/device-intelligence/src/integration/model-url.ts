/**
 * Why a model URL is refused, or undefined when it may be called. Only http and https, no
 * credentials in the URL (they would land in logs and events), and, when an allow-list is
 * configured, only its hosts: the service calls this URL from inside the network, so an open
 * choice would let an administrator's token reach any internal host (server-side request forgery).
 */
export function modelUrlProblem(
  raw: string,
  allowedHosts: readonly string[] | undefined,
): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  if (allowedHosts && allowedHosts.length > 0) {
    const host = url.hostname.toLowerCase();
    if (!allowedHosts.some((allowed) => allowed.toLowerCase() === host)) {
      return `host ${host} is not in MODEL_ALLOWED_HOSTS`;
    }
  }
  return undefined;
}
