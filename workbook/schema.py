"""The workbook contract: every sheet and column, its key, Chinese label and type.

Sheets and columns are found by header text, never position. A header matches a
column when, ignoring case and surrounding spaces, it equals the English key, the
Chinese label, or ``label (key)``. This module is data only; ``reader`` applies it
and ``template`` renders it, so the two cannot drift apart.

Column kinds (parsed by ``cells``): id, text, number, money, percent, int, date,
month, period, year, bool, enum:<a|b|c>.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str
    required: bool = True  # the header must be present
    optional_value: bool = False  # a blank cell is allowed

    @property
    def header(self) -> str:
        return f"{self.label} ({self.key})"


@dataclass(frozen=True)
class Sheet:
    key: str
    label: str
    columns: tuple[Column, ...]
    output: bool = False
    unique: tuple[str, ...] = ()  # column keys whose combination must be unique

    @property
    def header(self) -> str:
        return f"{self.label} ({self.key})"

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)


def C(key: str, label: str, kind: str, required: bool | None = None, blank: bool = False) -> Column:
    """A column; one whose cells may be blank may also be left out of the sheet."""
    return Column(key, label, kind, (not blank) if required is None else required, blank)


def opt(key: str, label: str, kind: str) -> Column:
    """A column that may be absent and whose cells may be blank."""
    return Column(key, label, kind, False, True)


SEVERITIES = ("important", "general", "minor", "serious")
INCIDENT_KINDS = ("client_lost", "complaint", "violation")
REVENUE_TYPES = ("software", "secondary_dev", "implementation", "maintenance", "training")
EDUCATION = ("高中/中专", "大专", "本科", "硕士", "博士")
LEVELS = ("初级", "中级", "高级")
RATINGS = ("优秀", "良好", "合格")

SETTINGS = Sheet("Settings", "设置", (C("key", "项目", "text"), C("value", "值", "text", blank=True)), unique=("key",))
POLICY = Sheet(
    "Policy", "政策参数",
    (C("key", "参数", "text"), C("value", "值", "text", blank=True), opt("note", "说明", "text")),
    unique=("key",),
)
TIERS = Sheet(
    "Tiers", "档位表",
    (
        C("table", "表名", "text"),
        C("lower", "下限", "number", blank=True),
        C("lower_inclusive", "含下限", "bool", blank=True),
        C("upper", "上限", "number", blank=True),
        C("upper_inclusive", "含上限", "bool", blank=True),
        C("value", "取值", "number"),
        opt("note", "说明", "text"),
    ),
)
EMPLOYEES = Sheet(
    "Employees", "员工",
    (
        C("employee_id", "工号", "id"),
        C("name", "姓名", "text"),
        C("department", "部门", "text"),
        C("team", "团队", "text", blank=True),
        C("role", "岗位", "text", blank=True),
        C("grade", "等级", "text", blank=True),
        C("hire_date", "入职日期", "date", blank=True),
        C("base_salary", "基本工资", "money", blank=True),
        C("commission_rate", "提成比例", "percent", blank=True),
        C("performance_bonus", "月绩效奖金", "money", blank=True),
        C("floating_wage", "季度浮动工资", "money", blank=True),
    ),
    unique=("employee_id",),
)
CLIENTS = Sheet(
    "Clients", "客户",
    (
        C("client_id", "客户编号", "id"),
        C("name", "客户名称", "text"),
        C("class", "客户类别", "text", blank=True),
        C("important", "重要客户", "bool", blank=True),
        C("strategic", "战略客户", "bool", blank=True),
        C("first_deal_date", "首次成交日期", "date", blank=True),
    ),
    unique=("client_id",),
)
DEALS = Sheet(
    "Deals", "成交",
    (
        C("deal_id", "成交编号", "id"),
        C("client_id", "客户编号", "id"),
        C("employee_id", "工号", "id"),
        C("share", "分成比例", "percent"),
        C("signed_on", "成交日期", "date"),
        C("amount", "成交金额", "money"),
        C("revenue_type", "收入类型", "enum:" + "|".join(REVENUE_TYPES), blank=True),
        C("gross_margin", "毛利", "money", blank=True),
        opt("product", "产品系列", "text"),  # AC: core-product share and the 市场部 series filter
        C("in_crm", "已录入CRM", "bool", blank=True),
        C("delivered", "已交付", "bool", blank=True),
    ),
    unique=("deal_id", "employee_id"),
)
CLAIMS = Sheet(
    "Claims", "奖励申请",
    (
        C("claim_id", "申请编号", "id"),
        C("employee_id", "工号", "id"),
        C("client_id", "客户编号", "id"),
        C("submitted_on", "提交日期", "date"),
        C("dept_approver", "部门审批人", "text", blank=True),
        C("dept_approved_on", "部门审批日期", "date", blank=True),
        C("hr_approver", "人力审批人", "text", blank=True),
        C("hr_approved_on", "人力审批日期", "date", blank=True),
        C("uplift", "战略上浮金额", "money", blank=True),
        C("uplift_reason", "上浮理由", "text", blank=True),
    ),
    unique=("claim_id",),
)
INCIDENTS = Sheet(
    "Incidents", "奖惩事件",
    (
        C("incident_id", "事件编号", "id"),
        C("employee_id", "工号", "id"),
        C("date", "日期", "date"),
        C("kind", "类型", "enum:" + "|".join(INCIDENT_KINDS)),
        C("severity", "程度", "enum:" + "|".join(SEVERITIES), blank=True),
        C("client_id", "客户编号", "id", blank=True),
        C("note", "备注", "text", blank=True),
    ),
    unique=("incident_id",),
)
TARGETS = Sheet(
    "Targets", "季度任务",
    (C("employee_id", "工号", "id"), C("period", "期间", "period"), C("target", "任务额", "money")),
    unique=("employee_id", "period"),
)
OPENING = Sheet(
    "OpeningBalances", "期初余额",
    (
        C("employee_id", "工号", "id"),
        C("kind", "类型", "enum:shortfall|excess"),
        C("period", "期间", "period"),
        C("base", "基数", "money", blank=True),
        C("flat", "固定费率收入", "money", blank=True),
        C("amount", "金额", "money"),
    ),
)
KPI = Sheet(
    "KPI", "KPI考核",
    (
        C("employee_id", "工号", "id"),
        C("period", "期间", "period"),
        C("indicator", "指标", "text"),
        C("weight", "权重", "percent"),
        C("kind", "类型", "enum:quantitative|qualitative"),
        C("target", "目标值", "number", blank=True),
        C("actual", "实际值", "number", blank=True),
        C("score", "评分", "number", blank=True),
    ),
    unique=("employee_id", "period", "indicator"),
)
SATISFACTION = Sheet(
    "Satisfaction", "满意度",
    (C("employee_id", "工号", "id"), C("period", "期间", "period"), C("satisfaction", "满意度", "percent")),
    unique=("employee_id", "period"),
)
UNITS = Sheet(
    "Units", "台次",
    (
        C("employee_id", "工号", "id"),
        C("month", "月份", "month"),
        C("units", "台次", "int"),
        C("channel_units", "渠道台次", "int", blank=True),
        C("css", "CSS得分", "number", blank=True),
    ),
    unique=("employee_id", "month"),
)
SCORECARD = Sheet(
    "Scorecard", "月度考核",
    (
        C("employee_id", "工号", "id"),
        C("month", "月份", "month"),
        C("sales_completion", "销售任务完成率", "percent"),
        C("push_completion", "推广产品完成率", "percent"),
        C("collection_completion", "回款完成率", "percent"),
        C("new_clients", "新客户数", "int"),
        C("leads", "新线索数", "int"),
        C("admin_score", "行政评分", "number"),
    ),
    unique=("employee_id", "month"),
)
RATINGS_SHEET = Sheet(
    "Ratings", "绩效评级",
    (
        C("employee_id", "工号", "id"),
        C("year", "年度", "year"),
        C("rating", "评级", "enum:" + "|".join(RATINGS)),
        C("tenure_years", "司龄(年)", "number"),
    ),
    unique=("employee_id", "year"),
)
GRADE_REVIEW = Sheet(
    "GradeReview", "等级评审",
    (
        C("employee_id", "工号", "id"),
        C("year", "年度", "year"),
        C("applied_level", "申请等级", "enum:" + "|".join(LEVELS), blank=True),
        C("education", "学历", "enum:" + "|".join(EDUCATION), blank=True),
        C("years_as_cm", "客户经理年限", "number", blank=True),
        C("years_in_grade", "现等级年限", "number", blank=True),
        C("exam_level", "通过考试等级", "text", blank=True),
        C("new_clients", "新客户数", "int", blank=True),
        C("prior_avg_new_clients", "原等级年均新客户数", "number", blank=True),
        opt("lower_avg_new_clients", "下一级任职期间年均新客户数", "number"),
        C("annual_sales", "年销售额", "money", blank=True),
        C("prior_year_sales", "上年销售额", "money", blank=True),
        C("company_sales_share", "占公司销售比例", "percent", blank=True),
        C("satisfaction", "满意度", "percent", blank=True),
        C("complaint_rate", "投诉率", "percent", blank=True),
        C("key_clients", "重点客户数", "int", blank=True),
        C("long_term_ratio", "长期客户比例", "percent", blank=True),
        C("major_projects", "主导重大项目数", "int", blank=True),
        C("industry_influence", "行业影响力", "bool", blank=True),
        C("dept_review", "部门初审", "bool", blank=True),
        C("committee_review", "评审委员会", "bool", blank=True),
        opt("publicity_start", "公示开始日", "date"),
        C("publicity_end", "公示截止日", "date", blank=True),
        C("objection", "有异议", "bool", blank=True),
        C("prior_failed_years", "此前连续不达标年数", "int", blank=True),
    ),
    unique=("employee_id", "year"),
)
ADJUSTMENTS = Sheet(
    "Adjustments", "调整",
    (
        C("employee_id", "工号", "id"),
        C("item_code", "项目代码", "text"),
        C("amount", "金额", "money"),
        C("reason", "原因", "text"),
        C("refers_to_period", "所属期间", "period"),
    ),
)

# The official working-day schedule for years the built-in calendar does not know yet
# (and single-day corrections): holiday = 放假, workday = 调休上班. See ``workdays``.
CALENDAR_KINDS = ("holiday", "workday")
CALENDAR = Sheet(
    "Calendar", "工作日历",
    (C("date", "日期", "date"), C("kind", "类型", "enum:" + "|".join(CALENDAR_KINDS)), opt("note", "说明", "text")),
)

INPUT_SHEETS: tuple[Sheet, ...] = (
    SETTINGS, POLICY, TIERS, EMPLOYEES, CLIENTS, DEALS, CLAIMS, INCIDENTS, TARGETS, OPENING,
    KPI, SATISFACTION, UNITS, SCORECARD, RATINGS_SHEET, GRADE_REVIEW, ADJUSTMENTS, CALENDAR,
)
INPUT_BY_KEY = {s.key: s for s in INPUT_SHEETS}

# Output sheets: written by calculate, never read as inputs.
OUTPUT_SHEETS = {
    "Results": "计算明细",
    "Payout": "发放表",
    "Coefficients": "系数",
    "Grades": "等级评审结果",
    "GradeDetail": "等级评审明细",
    "Validation": "校验结果",
    "Status": "状态",
}

COMPONENTS = ("NC", "MT", "SA", "TM", "PN", "KA", "KP", "KC", "AC", "SC", "PP", "SB", "GR")


def norm_header(text: object) -> str:
    """Header text normalised for matching: NFKC, trimmed, lower case."""
    import unicodedata

    s = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return " ".join(s.split())


def header_aliases(key: str, label: str) -> set[str]:
    """All accepted spellings: key, label, ``label (key)`` (half- or full-width)."""
    return {norm_header(key), norm_header(label), norm_header(f"{label} ({key})"), norm_header(f"{label}({key})")}
