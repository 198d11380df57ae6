"""Dashboard pages of e-tendering, online auctions and e-contract verification: labels and paths.

The pages read the market services directly (no view model beyond the service schemas); this
module holds their paths and their bilingual labels, kept here rather than in the shared
catalogue so the market pages stay one self-contained addition.
"""

from __future__ import annotations

from dyrd.web.i18n import Lang

TENDERS_PATH = "/market/tenders"
AUCTIONS_PATH = "/market/auctions"
CONTRACTS_PATH = "/market/contracts"

_LABELS: dict[str, tuple[str, str]] = {
    "nav.tenders": ("招标项目", "Tenders"),
    "nav.auctions": ("网络拍卖", "Auctions"),
    "nav.oversight": ("风险监测", "Oversight"),
    "tenders.title": ("电子招投标", "E-tendering"),
    "tenders.sub": (
        "密封投标采用承诺-揭示：截止前只提交 SHA-256 承诺值，平台在开标前无法读取任何报价。",
        "Sealed bids by commit-reveal: before the deadline only a SHA-256 commitment is held; "
        "nobody, the platform included, can read a price before the opening.",
    ),
    "col.title": ("项目", "Tender"),
    "col.buyer": ("招标人", "Buyer"),
    "col.status": ("状态", "Status"),
    "col.deadline": ("投标截止/开标", "Deadline / opening"),
    "col.bids": ("投标数", "Bids"),
    "col.bidder": ("投标人", "Bidder"),
    "col.commitment": ("承诺值", "Commitment"),
    "col.price": ("报价", "Price"),
    "col.score": ("得分", "Score"),
    "col.rank": ("排名", "Rank"),
    "col.question": ("提问", "Question"),
    "col.answer": ("答复", "Answer"),
    "none": ("暂无", "None yet"),
    "sealed": ("密封中", "sealed"),
    "rules": ("适用规则", "Rules applied"),
    "rule.notice": (
        "公告至截止不少于 20 日（《招标投标法》第二十四条，条号待核）",
        "At least 20 days from notice to deadline (Tendering and Bidding Law Art. 24, to verify)",
    ),
    "rule.three": (
        "投标人少于 3 个须重新招标（第二十八条，条号待核）",
        "Fewer than 3 bidders: re-tender (Art. 28, to verify)",
    ),
    "rule.opening": (
        "开标时间即投标截止时间（第三十四条，条号待核）；逾期投标拒收",
        "Opening at the deadline (Art. 34, to verify); late bids refused",
    ),
    "rule.publicity": (
        "中标候选人公示不少于 3 日后定标（《实施条例》第五十四条，条号待核）",
        "Award after at least 3 days of publicity of the candidates (Regulations Art. 54, to "
        "verify)",
    ),
    "allowed": ("当前可执行", "Allowed now"),
    "root": ("承诺值根哈希", "Commitments root"),
    "deposit": ("投标保证金", "Bid deposit"),
    "round": ("轮次", "Round"),
    "failure": ("失败原因", "Failure reason"),
    "clarifications": ("澄清答疑", "Clarifications"),
    "bids": ("投标", "Bids"),
    "auctions.title": ("网络司法拍卖", "Online judicial auctions"),
    "auctions.sub": (
        "竞价期不少于 24 小时；最后 5 分钟内有出价则自出价时起延时 5 分钟（法释〔2016〕18号）。",
        "Bidding lasts at least 24 hours; a bid in the last 5 minutes extends the end to 5 "
        "minutes after it (SPC judicial interpretation 法释〔2016〕18号).",
    ),
    "col.phase": ("阶段", "Phase"),
    "col.end": ("结束时间", "Ends"),
    "col.highest": ("当前最高价", "Highest bid"),
    "col.amount": ("出价", "Amount"),
    "col.time": ("时间", "Time"),
    "col.extended": ("延时", "Extended"),
    "room": ("拍卖室", "Auction room"),
    "starting": ("起拍价", "Starting price"),
    "appraised": ("评估价", "Appraised value"),
    "increment": ("加价幅度", "Increment"),
    "minimum": ("最低可出价", "Minimum next bid"),
    "extensions": ("延时次数", "Extensions"),
    "scheduled": ("原定结束", "Scheduled end"),
    "outcome": ("结果", "Outcome"),
    "live": ("每 2 秒自动刷新", "Refreshes every 2 seconds"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "contract.title": ("电子合同验证", "E-contract verification"),
    "contract.sub": (
        "核对全部签署方是否签署、签署人是否有权、密钥签署时是否被吊销、文件是否被改动。",
        "Checks that every party signed, each signer was authorised, no key was revoked at "
        "signing time, and the document is unchanged.",
    ),
    "contract.signin": ("请先登录后查看合同验证报告。", "Sign in to see contract reports."),
    "contract.copy": ("核对一份副本", "Check a copy"),
    "contract.check": ("核对", "Check"),
    "contract.checks": ("逐项检查", "Checks"),
    "contract.party": ("签署方", "Party"),
    "contract.result": ("结果", "Result"),
    "contract.detail": ("说明", "Detail"),
    "contract.text": ("纯文本报告", "Plain-text report"),
    "valid": ("有效", "VALID"),
    "invalid": ("无效", "INVALID"),
    "copy.checked": ("已核对上传的副本", "The uploaded copy was checked"),
    "notfound": ("未找到该项目", "Not found"),
}


def labels(lang: Lang) -> dict[str, str]:
    """The market pages' labels in ``lang``."""
    index = 0 if lang == "zh" else 1
    return {key: pair[index] for key, pair in _LABELS.items()}
