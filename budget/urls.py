from django.urls import path

from budget import views, views_close, views_review, views_scenarios, views_years
from budget.importing import MOE_FIGURES_IMPORT
from portal.imports.urls import import_urls

plan = "plans/<int:year>/<str:county_code>/"

urlpatterns = [
    path("plan/", views.my_plan, name="my_plan"),
    path("plans/review/", views_review.review_queue_view, name="review_queue"),
    *import_urls(MOE_FIGURES_IMPORT, "plans/moe-figures/import/"),
    path("plan-years/", views_years.plan_years, name="plan_years"),
    path("plan-years/open/", views_years.plan_year_open_view, name="plan_year_open"),
    path("plan-years/<int:year>/rules/", views_years.plan_year_rules, name="plan_year_rules"),
    path(plan, views.plan_detail, name="plan_detail"),
    path(plan + "edit/", views.plan_edit, name="plan_edit"),
    path(plan + "edit/totals/", views.plan_edit_totals, name="plan_edit_totals"),
    path(plan + "narrative/", views.plan_narrative_view, name="plan_narrative"),
    path(plan + "moe-figures/", views_review.plan_moe_figures, name="plan_moe_figures"),
    path(plan + "submit/", views.plan_submit_view, name="plan_submit"),
    path(plan + "return/", views_review.plan_return_view, name="plan_return"),
    path(plan + "approve/", views_review.plan_approve_view, name="plan_approve"),
    path(plan + "review/", views.plan_review_view, name="plan_review"),
    path(plan + "comments/<int:pk>/reply/", views.plan_comment_reply, name="plan_comment_reply"),
    path(plan + "lines/<int:number>/approve/", views_review.line_approve_view, name="line_approve"),
    path(plan + "submissions/<int:number>/", views_review.submission_detail, name="submission_detail"),
    path("scenarios/", views_scenarios.scenario_list, name="scenario_list"),
    path("scenarios/<int:pk>/", views_scenarios.scenario_detail, name="scenario_detail"),
    path("scenarios/<int:pk>/export.xlsx", views_scenarios.scenario_export, name="scenario_export"),
    path("scenarios/<int:pk>/delete/", views_scenarios.scenario_delete_view, name="scenario_delete"),
    path(plan + "disbursements/", views_close.plan_disbursement_add_view, name="plan_disbursement_add"),
    path(plan + "final-report/", views_close.final_report_view, name="final_report"),
    path(plan + "final-report/submit/", views_close.final_report_submit_view, name="final_report_submit"),
    path(plan + "final-report/return/", views_close.final_report_return_view, name="final_report_return"),
    path(plan + "final-report/close/", views_close.final_report_close_view, name="final_report_close"),
]
