/** The usage of `ztctl token`. */
export const TOKEN_USAGE = `  token --sub <subject> [--roles a,b] [--groups a,b] [--mfa] [--posture compliant]
        [--ttl seconds] [--aud audience] [--data-dir ./data]
        mint a development token signed by the standalone issuer's key (DATA_DIR, JWT_ISSUER)
`;
