from django.urls import path

from budget import views, views_scenarios

plan = "plans/<int:year>/<str:county_code>/"

urlpatterns = [
    path("plan/", views.my_plan, name="my_plan"),
    path("plans/review/", views.review_queue_view, name="review_queue"),
    path(plan, views.plan_detail, name="plan_detail"),
    path(plan + "edit/", views.plan_edit, name="plan_edit"),
    path(plan + "narrative/", views.plan_narrative_view, name="plan_narrative"),
    path(plan + "moe-figures/", views.plan_moe_figures, name="plan_moe_figures"),
    path(plan + "submit/", views.plan_submit_view, name="plan_submit"),
    path(plan + "return/", views.plan_return_view, name="plan_return"),
    path(plan + "approve/", views.plan_approve_view, name="plan_approve"),
    path(plan + "lines/<int:number>/approve/", views.line_approve_view, name="line_approve"),
    path(plan + "submissions/<int:number>/", views.submission_detail, name="submission_detail"),
    path("scenarios/", views_scenarios.scenario_list, name="scenario_list"),
    path("scenarios/<int:pk>/", views_scenarios.scenario_detail, name="scenario_detail"),
    path("scenarios/<int:pk>/export.xlsx", views_scenarios.scenario_export, name="scenario_export"),
    path("scenarios/<int:pk>/delete/", views_scenarios.scenario_delete_view, name="scenario_delete"),
]
