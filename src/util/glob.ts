/** A `*` glob (any run of characters, `/` included) as an anchored regular expression; everything else literal. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^]*')}$`);
}
