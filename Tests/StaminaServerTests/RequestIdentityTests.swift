import Testing

@testable import StaminaServer

/// What a read request is identified by: the bearer token in its header and the job id in its path.
struct RequestIdentityTests {
    @Test func bearerTokensAreReadFromTheHeader() {
        #expect(TokenAuthority.bearer("Bearer stm_abc") == "stm_abc")
        #expect(TokenAuthority.bearer("bEaReR \t stm_abc \t") == "stm_abc")
        #expect(TokenAuthority.bearer("Bearer") == nil)
        #expect(TokenAuthority.bearer("Bearer    ") == nil)
        #expect(TokenAuthority.bearer("Basic stm_abc") == nil)
        #expect(TokenAuthority.bearer("Bearerstm_abc") == nil)
    }

    @Test func jobIDsAreLowerCaseBase32OfTwentySixCharacters() {
        #expect(RandomIdentifier.isJobID(Substring(RandomIdentifier.jobID())))
        #expect(!RandomIdentifier.isJobID("abcdefghijklmnopqrstuvwxy8"))
        #expect(!RandomIdentifier.isJobID("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        #expect(!RandomIdentifier.isJobID("abcdefghijklmnopqrstuvwxy"))
        #expect(RandomIdentifier.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
