import FluentKit

/// Every migration, in the order it runs. Append only: a shipped migration is never edited, since
/// databases in the field have already run it.
enum AllMigrations {
    static let ordered: [any Migration] = [
        M0001CreateAccounts(),
        M0002CreateRecord(),
        M0003CreateSchemeVersions(),
        M0004ChainTheRecord(),
        M0005CreateJobsAndDeadlines(),
        M0006CreateLetters(),
        M0007CreateMemberships(),
        M0008AddShopSlugs(),
        M0009CreateSealRecords(),
        M0010IndexApplicationsByOrganisation(),
        M0011CreateComplaints(),
        M0012IndexShopStatsByUpdate(),
        M0013CreateReviews(),
        M0014CreateReviewFlags(),
        M0015AddReviewFraud(),
        M0016CreateReviewOffences(),
        M0017IndexReviewDays(),
        M0018LeanReviewIndexes(),
        M0019NumberMembershipEvents(),
        M0020IndexInvoiceLookups(),
        M0021CreateSanctions(),
        M0022ListUntil(),
        M0023SanctionAppeals(),
        M0024CreateSiteChecks(),
        M0025CreateIntegrations(),
        M0026CreateLoginFailures(),
        M0027CreateMarketingConsents(),
        M0028CreateWorkRuns(),
    ]
}
