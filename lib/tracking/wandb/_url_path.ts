// Path segments of the artifact file download URL as the SDK puts them on the wire (private).
//
// The SDK builds the URL in wandb/sdk/artifacts/storage_policies/wandb_storage_policy.py `_file_url`: the
// entity, project, collection and birth artifact id through Python's `urllib.parse.quote`, the file name
// (`entry.path.name`) raw. requests then prepares it (psf/requests src/requests/models.py `prepare_url`):
// urllib3's `parse_url` splits off `?query` and `#fragment` and percent-encodes every byte of the path that
// is not a path character (urllib3 src/urllib3/util/url.py `_encode_invalid_chars`, `_PATH_CHARS`:
// unreserved, the sub-delims `!$&'()*+,;=`, `:` and `@`), then `requote_uri` (src/requests/utils.py) decodes
// escapes of unreserved characters and quotes nothing more.

/** `urllib.parse.quote(s)`: all but letters, digits and `_.-~` percent-encoded (a `/` too, unlike quote). */
export function pyQuote(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * A file name as requests sends the SDK's raw name: path characters as they are, every other byte of its
 * UTF-8 percent-encoded. For the names the SDK's URL loses part of, `#` (the rest becomes a fragment, never
 * sent), `?` (a query) and `%` (`%41` would be read as `A`), we send `%23`, `%3F` and `%25`, so the server
 * gets the whole name; for every other name the bytes are the SDK's.
 */
export function fileNameSegment(name: string): string {
  // encodeURIComponent leaves unreserved and !'()* as they are; urllib3 also leaves $&+,;=:@
  return encodeURIComponent(name).replace(/%(24|26|2B|2C|3B|3D|3A|40)/g, (e) => decodeURIComponent(e));
}
