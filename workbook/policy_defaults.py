"""The POLICY defaults, as data: the single source the template is filled from.

Every number a rule uses lives here with a note in Chinese, and a flag saying
whether it comes from the source documents or is only an Example (the sources
left it blank). HR changes these in the workbook's Policy (政策参数) and Tiers
(档位表) sheets; the engine then reads the sheet values, not these.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    key: str
    kind: str  # a cells kind: number, money, percent, int, bool, date, text
    default: str  # as typed in the sheet ("" = blank)
    note: str
    example: bool = False  # not from the source: the template marks it "示例"
    component: str = ""


@dataclass(frozen=True)
class TierDefault:
    table: str
    rows: tuple[tuple, ...]  # (lower, lower_inclusive, upper, upper_inclusive, value)
    note: str
    percent: bool = False
    example: bool = False


@dataclass(frozen=True)
class RevenueType:
    """One row of KA's revenue-type table (POLICY §6): how a deal line counts."""

    key: str
    label: str
    counts: bool  # counts toward the quarterly task
    margin: bool  # measured as gross margin (else the net amount)
    flat: bool  # commissioned at the flat service rate (else at the task rate, through the rule)


KA_REVENUE_TYPES: tuple[RevenueType, ...] = (
    RevenueType("software", "软件", counts=True, margin=False, flat=False),
    RevenueType("secondary_dev", "二次开发", counts=True, margin=True, flat=False),
    RevenueType("implementation", "实施", counts=True, margin=False, flat=True),
    RevenueType("maintenance", "维护", counts=False, margin=False, flat=True),
    RevenueType("training", "培训", counts=False, margin=False, flat=True),
)


PARAMS: tuple[Param, ...] = (
    # NC: new-client development award
    Param("nc_table", "text", "nc_award", "新客户奖励使用的档位表（nc_award 或备选 nc_award_alt）", component="NC"),
    Param("nc_uplift_cap", "percent", "100%", "战略客户上浮上限，占档位奖励的比例", component="NC"),
    Param("nc_claim_workdays", "int", "7", "季度结束后提交申请的期限（法定工作日）", component="NC"),
    Param("nc_additional_enabled", "bool", "N", "是否启用追加奖励（业务员首单+期内累计两段）", component="NC"),
    Param("nc_require_delivered", "bool", "N", "是否要求订单已交付才发放", component="NC"),
    Param("nc_scheme_start", "date", "", "方案开始日期：早于此日期的成交不奖励（空=不限制）", component="NC"),
    # MT: maintenance growth award
    # TM: team award
    Param("tm_growth_threshold", "percent", "10%", "团队新客户业绩同比增长达到此比例（含）才发放", component="TM"),
    Param("tm_rate", "percent", "1%", "团队奖励 = 本年团队新客户业绩 × 此比例", component="TM"),
    # PN: penalties, % of the month's performance bonus
    Param("pn_lost_important", "percent", "50%", "因个人原因流失重要客户：扣当月绩效奖金比例", component="PN"),
    Param("pn_lost_general", "percent", "30%", "因个人原因流失一般客户：扣当月绩效奖金比例", component="PN"),
    Param("pn_complaint_minor", "percent", "0%", "轻微投诉：警告（不扣款，记录）", component="PN"),
    Param("pn_complaint_serious", "percent", "20%", "严重投诉：扣当月绩效奖金比例", component="PN"),
    Param("pn_violation_first", "percent", "0%", "首次违反客户开发规定：警告并培训（不扣款，记录）", component="PN"),
    Param("pn_violation_repeat", "percent", "10%", "12个月内再次违规：扣当月绩效奖金比例", component="PN"),
    Param("pn_violation_window_months", "int", "12", "违规累计的回溯月数", component="PN"),
    Param("pn_monthly_cap", "percent", "100%", "同一月扣款合计上限（占当月绩效奖金）", component="PN"),
    # KA: key-account quarterly commission (§6)
    Param("ka_task_rate", "percent", "4%", "任务提成比例 r：计提奖金 = r × 计提额", component="KA"),
    Param("ka_base_ratio", "percent", "50%", "任务基数比 β：基数 B = β × 季度目标 T", component="KA"),
    Param("ka_deduction", "money", "600", "当季完成额低于基数：扣发当季固定工资", component="KA"),
    Param("ka_carry_threshold", "money", "300000", "完成额低于此值且超过目标时，超出目标部分转入下季；达到此值则全额当季计提", component="KA"),
    Param("ka_flat_rate", "percent", "6%", "实施、维护、培训净收入按此比例计提（不论任务完成情况）", component="KA"),
    Param("ka_fixed_share", "percent", "80%", "实际奖金 = 计提奖金 × (固定部分 + KPI部分 × KPI系数) 的固定部分", component="KA"),
    Param("ka_kpi_share", "percent", "20%", "实际奖金公式中随 KPI 系数浮动的部分", component="KA"),
    Param("ka_new_hire_no_task", "bool", "Y", "新业务员入职当季不承担任务（不扣款、不形成欠额、发放浮动工资）", component="KA"),
    Param("ka_counting_types", "text", ",".join(t.key for t in KA_REVENUE_TYPES if t.counts), "计入销售任务额的收入类型（逗号分隔）", component="KA"),
    Param("ka_flat_types", "text", ",".join(t.key for t in KA_REVENUE_TYPES if t.flat), "按固定比例计提的收入类型（逗号分隔）；计入任务的部分不再按任务比例计提", component="KA"),
    Param("ka_margin_types", "text", ",".join(t.key for t in KA_REVENUE_TYPES if t.margin), "以毛利而非净额计入的收入类型（逗号分隔）", component="KA"),
    Param("ka_missing_kpi_k", "number", "1", "没有 KPI 考核记录时使用的 KPI 系数（同时给出警告）", example=True, component="KA"),
    # KP: KPI-weighted coefficient (§7)
    Param("kp_quant_cap", "percent", "120%", "定量指标得分 = min(实际/目标, 此上限) × 100，最低 0", component="KP"),
    Param("kp_score_max", "number", "120", "定性指标评分的上限（0 至此值）", component="KP"),
    Param("kp_table", "text", "", "空：KPI 系数 k = 加权得分 / 100；填 kp_coefficient：按该档位表由加权得分取系数", component="KP"),
    # KC: key-customer unit commission (§8)
    Param("kc_unit_rate", "money", "100", "单车提成（元/台）", component="KC"),
    Param("kc_channel_rate", "money", "50", "渠道车辆提成（元/台）", component="KC"),
    # AC: A-class client campaign (§9)
    Param("ac_start", "date", "2012-06-01", "活动开始日期（此日起首次成交的客户为新客户）", component="AC"),
    Param("ac_end", "date", "2012-11-30", "活动结束日期（含该季度计算未完成开发的处罚）", component="AC"),
    Param("ac_dept_ka", "text", "大客户部", "适用大客户部标准的部门名称", component="AC"),
    Param("ac_threshold_ka", "money", "50000", "大客户部：新客户连续三个月月均销售额门槛", component="AC"),
    Param("ac_dept_mk", "text", "市场部", "适用市场部标准的部门名称", component="AC"),
    Param("ac_threshold_mk", "money", "30000", "市场部：新客户连续三个月月均销售额门槛", component="AC"),
    Param("ac_min_margin", "percent", "15%", "新客户平均毛利点下限 m（来源被遮挡）", example=True, component="AC"),
    Param("ac_core_share", "percent", "50%", "大客户部：计入月份中核心产品销售额占比下限（配置了排除产品时适用）", component="AC"),
    Param("ac_ka_excluded_products", "text", "", "大客户部：不算核心产品的产品系列（逗号分隔；空=不考核占比）", example=True, component="AC"),
    Param("ac_mk_series", "text", "", "市场部：只计入这些产品系列（逗号分隔；空=全部产品计入）", example=True, component="AC"),
    Param("ac_stage1_award", "money", "1000", "第一阶段：首三个月月均达标奖励", component="AC"),
    Param("ac_stage2_award", "money", "2000", "第二阶段：六个月内连续三个月月均达标再奖励", component="AC"),
    Param("ac_dept_ds", "text", "直营部", "适用直营部一次性奖励的部门名称", component="AC"),
    Param("ac_ds_monthly_sales", "money", "200000", "直营部：月销售总金额门槛（来源被遮挡）", example=True, component="AC"),
    Param("ac_ds_margin", "percent", "15%", "直营部：当月平均毛利点门槛（来源被遮挡）", example=True, component="AC"),
    Param("ac_ds_award", "money", "3000", "直营部：一次性奖励", component="AC"),
    Param("ac_penalty", "money", "500", "活动结束未完成开发任务的主责业务员处罚", component="AC"),
    Param("ac_waiver_ratio", "percent", "60%", "活动期内销售额达到任务量此比例可免于处罚", component="AC"),
    # SC: monthly key-account scorecard (§10)
    Param("sc_a_share", "percent", "60%", "A类（业绩）奖金 = 月绩效奖金 × 此比例 × A得分", component="SC"),
    Param("sc_b_share", "percent", "40%", "B类（管理）奖金 = 月绩效奖金 × 此比例 × B得分", component="SC"),
    Param("sc_completion_cap", "percent", "120%", "各项完成率的上限", component="SC"),
    Param("sc_points_per_client", "number", "50", "新开客户（当月签单两笔以上、金额达3000元）每家得分", component="SC"),
    Param("sc_points_per_lead", "number", "10", "每条新线索得分", component="SC"),
    Param("sc_points_full", "number", "100", "客户开拓及线索、行政评分的满分（得分 ÷ 满分）", component="SC"),
    Param("sc_points_cap", "number", "1.2", "得分折算后的上限", component="SC"),
    # PP: performance-pay pool (§11)
    Param("pp_budget", "money", "", "年度绩效工资总预算（按评级和司龄加权分配，精确到分）", component="PP"),
    Param("pp_weight_excellent", "number", "1.5", "评级 优秀 的权重", example=True, component="PP"),
    Param("pp_weight_good", "number", "1.0", "评级 良好 的权重", example=True, component="PP"),
    Param("pp_weight_pass", "number", "0.7", "评级 合格 的权重", example=True, component="PP"),
    Param("pp_tenure_step", "percent", "2%", "司龄系数 = 1 + 此比例 × 满整年数", example=True, component="PP"),
    Param("pp_tenure_cap_years", "int", "10", "司龄系数计算的年数上限", example=True, component="PP"),
    # SB: salary bands by level (§12)
    Param("sb_junior_base_min", "money", "5000", "初级：月基本工资下限", component="SB"),
    Param("sb_junior_base_max", "money", "8000", "初级：月基本工资上限", component="SB"),
    Param("sb_junior_rate_min", "percent", "3%", "初级：提成比例下限", component="SB"),
    Param("sb_junior_rate_max", "percent", "5%", "初级：提成比例上限", component="SB"),
    Param("sb_middle_base_min", "money", "8000", "中级：月基本工资下限", component="SB"),
    Param("sb_middle_base_max", "money", "12000", "中级：月基本工资上限", component="SB"),
    Param("sb_middle_rate_min", "percent", "5%", "中级：提成比例下限", component="SB"),
    Param("sb_middle_rate_max", "percent", "8%", "中级：提成比例上限", component="SB"),
    Param("sb_senior_base_min", "money", "12000", "高级：月基本工资下限", component="SB"),
    Param("sb_senior_base_max", "money", "20000", "高级：月基本工资上限", component="SB"),
    Param("sb_senior_rate_min", "percent", "8%", "高级：提成比例下限", component="SB"),
    Param("sb_senior_rate_max", "percent", "12%", "高级：提成比例上限", component="SB"),
    # GR: client-manager grades (§13); the source gives "[X]" for every threshold
    *(Param(f"gr_{lvl}_education", "enum:高中/中专|大专|本科|硕士|博士", edu, f"{zh}：学历要求（达到此学历或更高）", example=True, component="GR")
      for lvl, zh, edu in (("junior", "初级", "大专"), ("middle", "中级", "本科"), ("senior", "高级", "本科"))),
    Param("gr_junior_years_as_cm", "number", "1", "初级：从事客户经理工作年限（以上，含）", example=True, component="GR"),
    Param("gr_junior_new_clients", "int", "5", "初级：近一年新开发客户数（以上，含）", example=True, component="GR"),
    Param("gr_junior_annual_sales", "money", "500000", "初级：年度销售额（元，以上，含）", example=True, component="GR"),
    Param("gr_junior_satisfaction", "percent", "85%", "初级：客户满意度（以上，含）", example=True, component="GR"),
    Param("gr_middle_years_as_cm", "number", "3", "中级：从事客户经理工作年限（以上，含）", example=True, component="GR"),
    Param("gr_middle_years_in_grade", "number", "1", "中级：担任初级客户经理年限（以上，含）", example=True, component="GR"),
    Param("gr_middle_new_clients_growth", "percent", "20%", "中级：新客户数比任初级期间年均增长（以上，含）", example=True, component="GR"),
    Param("gr_middle_annual_sales", "money", "2000000", "中级：年度销售额（元，以上，含）", example=True, component="GR"),
    Param("gr_middle_sales_growth", "percent", "10%", "中级：销售额较上年增长（以上，含）", example=True, component="GR"),
    Param("gr_middle_complaint_rate", "percent", "5%", "中级：客户投诉率低于此值（不含）", example=True, component="GR"),
    Param("gr_middle_key_clients", "int", "2", "中级：成功拓展重点客户数（至少）", example=True, component="GR"),
    Param("gr_senior_years_as_cm", "number", "5", "高级：从事客户经理工作年限（以上，含）", example=True, component="GR"),
    Param("gr_senior_years_in_grade", "number", "2", "高级：担任中级客户经理年限（以上，含）", example=True, component="GR"),
    Param("gr_senior_new_clients_growth", "percent", "20%", "高级：新客户数比任中级期间年均增长（以上，含）", example=True, component="GR"),
    Param("gr_senior_annual_sales", "money", "5000000", "高级：年度销售额（元，以上，含）", example=True, component="GR"),
    Param("gr_senior_sales_share", "percent", "5%", "高级：占公司总销售额比例（以上，含）", example=True, component="GR"),
    Param("gr_senior_long_term_ratio", "percent", "60%", "高级：长期合作客户比例（以上，含）", example=True, component="GR"),
    Param("gr_senior_major_projects", "int", "1", "高级：主导完成重大项目数（至少）", example=True, component="GR"),
    Param("gr_publicity_workdays", "int", "5", "评审结果公示的法定工作日数；公示结束且无异议，次一工作日起晋升生效", example=True, component="GR"),
    Param("gr_honour_sales_ratio", "percent", "150%", "优秀客户经理候选：达到现等级全部业绩要求，且年度销售额达到现等级销售额要求的此比例（含）；空=不评", example=True, component="GR"),
    Param("gr_junior_demotion", "enum:revoke|stay", "revoke", "初级连续两年不达标：revoke=取消客户经理等级（未定级，须重新申报）；stay=保留初级并再次警告", example=True, component="GR"),
    # CL: client classes (§14); optional auto-classification
    Param("cl_auto_classify", "bool", "N", "是否按本年采购额或毛利贡献自动视为重要客户（Y 时 惩罚 按重要客户处理）", component="CL"),
    Param("cl_big_purchases", "money", "1000000", "自动分类：本年（截至本期末）采购额超过此值（不含）为大客户", component="CL"),
    Param("cl_big_profit_share", "percent", "10%", "自动分类：本年毛利占全部客户毛利超过此比例（不含）为大客户", component="CL"),
)

TIER_DEFAULTS: tuple[TierDefault, ...] = (
    TierDefault(
        "nc_award",
        (("0", True, "100000", True, "500"), ("100000", False, "500000", True, "1000"), ("500000", False, None, False, "2000")),
        "新客户开发奖励（按首单金额，边界归低档）",
    ),
    TierDefault(
        "nc_award_alt",
        (("0", True, "1000", True, "50"), ("1000", False, "10000", True, "200"), ("10000", False, None, False, "500")),
        "备选：新客户开发奖励（范本第一种）",
    ),
    TierDefault(
        "nc_additional_initial",
        (("0", True, "50000", True, "100"), ("50000", False, "100000", True, "200"), ("100000", False, None, False, "500")),
        "追加奖励·首单奖（业务员）",
    ),
    TierDefault(
        "nc_additional_total",
        (
            ("0", True, "500000", False, "0"),
            ("500000", True, "1000000", True, "500"),
            ("1000000", False, "2000000", True, "1000"),
            ("2000000", False, None, False, "2000"),
        ),
        "追加奖励·期内累计成交额（不足50万不追加）",
    ),
    TierDefault(
        "mt_rate",
        (("0", False, "0.10", True, "0.01"), ("0.10", False, "0.20", True, "0.02"), ("0.20", False, None, False, "0.03")),
        "客户维护奖励比例（按增长率，整体适用于增长额）",
        percent=True,
    ),
    TierDefault(
        "sa_award",
        (("0", True, "0.90", False, "0"), ("0.90", True, "0.95", False, "500"), ("0.95", True, "1", True, "1000")),
        "客户满意度奖励（只取最高一档）",
        percent=True,
    ),
    TierDefault(
        "kp_coefficient",
        (("0", True, "60", False, "0.6"), ("60", True, "80", False, "0.8"), ("80", True, "100", False, "1.0"),
         ("100", True, "110", False, "1.1"), ("110", True, None, False, "1.2")),
        "KPI 加权得分 → KPI 系数（仅当参数 kp_table = kp_coefficient 时使用）",
        example=True,
    ),
    TierDefault(
        "kc_sales_coefficient",
        (("0", True, "1", False, "0"), ("1", True, "2", False, "0.6"), ("2", True, "4", False, "0.8"),
         ("4", True, "6", False, "1.0"), ("6", True, "10", False, "1.1"), ("10", True, None, False, "1.2")),
        "关键客户销售系数（按当月总台次：0台 0；1台 E 0.6；2–3台 D 0.8；4–5台 C 1.0；6–9台 B 1.1；10台以上 A 1.2）",
    ),
    TierDefault(
        "kc_css_coefficient",
        ((None, False, "940", False, "0.6"), ("940", True, "960", False, "0.8"), ("960", True, "981", False, "1.0"),
         ("981", True, "991", False, "1.1"), ("991", True, None, False, "1.2")),
        "CSS 满意度系数（半开区间；939 归最低档）",
    ),
)

PARAMS_BY_KEY = {p.key: p for p in PARAMS}
TIERS_BY_NAME = {t.table: t for t in TIER_DEFAULTS}
