"""Errors of the market domain."""

from __future__ import annotations

from dyrd.core.errors import ConflictError, DyrdError, NotFoundError, ValidationFailed


class MarketError(DyrdError):
    """Base of the market domain's errors."""

    code = "market-error"
    title = "Market error"
    title_zh = "市场治理错误"


class OcdsInvalid(MarketError, ValidationFailed):
    """OCDS data that is not JSON or fails the schema; ``errors`` names each failing path."""

    code = "ocds-invalid"
    title = "Invalid OCDS data"
    title_zh = "OCDS 数据无效"


class MarketInputInvalid(MarketError, ValidationFailed):
    """Input to a red-flag, screen or risk computation that cannot give a defined result."""

    code = "market-input-invalid"
    title = "Invalid market input"
    title_zh = "市场数据输入无效"


class UnknownEnterprise(MarketError, NotFoundError):
    """An enterprise with no recorded risk events."""

    code = "unknown-enterprise"
    title = "Unknown enterprise"
    title_zh = "未知企业"


# --- e-contracts, tenders and auctions (tender/auction/contract services) ---------------------


class MarketNotFound(MarketError, NotFoundError):
    """No contract, tender, bid or auction with that id."""

    code = "market-not-found"
    title = "Not found"
    title_zh = "未找到"


class StatutoryRuleViolated(MarketError, ValidationFailed):
    """The request breaks a statutory rule (notice period, auction duration, starting price)."""

    code = "market-statutory-rule"
    title = "Statutory rule violated"
    title_zh = "违反法定规则"


class WrongState(MarketError, ConflictError):
    """The action is not allowed in the tender's or auction's current state."""

    code = "market-wrong-state"
    title = "Action not allowed in this state"
    title_zh = "当前状态下不允许此操作"


class DeadlinePassed(MarketError, ConflictError):
    """A bid or commitment arrived after its deadline (late bids are refused)."""

    code = "market-deadline-passed"
    title = "Deadline passed"
    title_zh = "已过截止时间"


class RevealMismatch(MarketError, ValidationFailed):
    """A revealed bid does not match its sealed commitment."""

    code = "market-reveal-mismatch"
    title = "Reveal does not match the commitment"
    title_zh = "揭示的报价与承诺值不符"


class BidRejected(MarketError, ConflictError):
    """A bid was refused (duplicate bidder, too low, deposit missing)."""

    code = "market-bid-rejected"
    title = "Bid rejected"
    title_zh = "投标/出价被拒绝"


class SigningRefused(MarketError, ConflictError):
    """A contract signature cannot be made (not a party, already signed, no active key)."""

    code = "market-signing-refused"
    title = "Signature refused"
    title_zh = "拒绝签署"
