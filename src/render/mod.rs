//! Reply → Block Kit (Slack limits enforced here), terminal text; French and English. (Being written.)
