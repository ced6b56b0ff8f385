// How long a stage or input name may be: each becomes a file name (cache/logs/NAME.log, a staging dir, in/NAME/KEY).

/**
 * File names stop at 255 bytes (ENAMETOOLONG); a stage name also gets suffixes (".log"), so names stay well
 * below that. Names hold only ASCII (the schema's patterns and the fan-out key pattern), so characters are bytes.
 */
export const maxNameLength = 200;
