"""Certification (DESIGN section 6): eligibility, signed certificates and their verification.

Pure building blocks, each in its own module; the store and the files are the services' job,
the PDF and the terminal views render's (`render.certificate_pdf`, `render.qr`, `render.certs`):

- `eligibility`  catalog certification + a learner's figures -> requirements, progress, estimate
- `figures`      the analytics frames -> each learner's figures for the certification
- `validity`     validity periods (Feb 29 + 2 years = Feb 28) and a certificate's status
- `codes`        short human-typable verification codes
- `didkey`       did:key of an Ed25519 public key (multicodec + base58btc)
- `keys`         the Ed25519 signing key pair and its private key file (0600)
- `credential`   the Open Badges 3.0 OpenBadgeCredential, secured as a VC-JWT
- `identity`     who issues: the catalog's [issuer] with the signing key (did:key or did:web)
- `didweb`       did:web of a verify_url and its DID document
- `statuslist`   the W3C Bitstring Status List: entries, the list credential, its encoding
- `site`         the paths and addresses of the published verification site
- `signed`       a JWT signed by a DID's key, and the verdict being built about it
- `verify`       checking a VC-JWT (signature, issuer key, dates, revocation); the one in a PDF
- `revocation`   revoked? this store's register and the published status list
- `issuing`      what to do for a learner (issue, already valid, ...) and the certificate to issue
- `register`     the certificates of a store as listed and summarised
"""
