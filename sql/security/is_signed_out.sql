-- Whether a sign-in was signed out: asked by every open page (circuit) at each revalidation.
SELECT EXISTS (
    SELECT
    FROM orchestra_admin.sign_outs
    WHERE sign_in_id = @sign_in_id
) AS signed_out
